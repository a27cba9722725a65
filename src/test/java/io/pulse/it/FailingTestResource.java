package io.pulse.it;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import io.smallrye.mutiny.Uni;

/** Test-only endpoints that fail unexpectedly, to show that no internals reach the client. */
@Path("/test-only/failure")
public class FailingTestResource {

    static final String SECRET = "secret-internal-detail";

    @GET
    @Path("thrown")
    public String thrown() {
        throw new IllegalStateException(SECRET + " at io.pulse.Hidden");
    }

    @GET
    @Path("failed-uni")
    public Uni<String> failedUni() {
        return Uni.createFrom().failure(new UnsupportedOperationException(SECRET));
    }
}
