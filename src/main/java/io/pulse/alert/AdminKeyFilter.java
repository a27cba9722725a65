package io.pulse.alert;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The admin key of an {@link AdminOnly} method is checked before its body is read: a caller without the
 * key got a 400 for a malformed body, which told what the method reads, instead of the 401. (A media type
 * the method does not take is refused while the request is matched, before filters: still a 415.)
 */
public class AdminKeyFilter {

    private final AdminAuth auth;

    public AdminKeyFilter(AdminAuth auth) {
        this.auth = auth;
    }

    // Before the other filters (the parameters' check among them), whose answers would tell a caller without the key
    // what the method takes; of equal priority, their order changed from one start to the next.
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public void requireAdminKey(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() != null && resource.getResourceMethod().isAnnotationPresent(AdminOnly.class)) {
            auth.check(request.getHeaderString("X-API-Key"), request.getHeaderString("Authorization"),
                    request.getUriInfo().getPath());
        }
    }
}
