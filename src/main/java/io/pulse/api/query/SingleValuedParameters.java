package io.pulse.api.query;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;

/**
 * Every query parameter of the API and the streams takes one value. Given twice, the first one was used and the
 * other dropped unsaid ({@code ?wiki=enwiki&wiki=dewiki} read as a union, answered for enwiki alone): now a 400
 * naming each such parameter, before the method runs. So is an empty one of {@code /api}: the framework hands it
 * to the method as absent, and {@code ?from=&to=} (a client's unset variables) was answered for the last hour,
 * {@code ?wiki=} for every wiki, with a 200. Only {@code /api/alerts} takes an empty wiki, as all wikis (a page's
 * empty filter box), as the streams do.
 */
public class SingleValuedParameters {

    @ServerRequestFilter
    public void refuseRepeated(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        boolean api = path.startsWith("/api/");
        List<ParameterError> errors = request.getUriInfo().getQueryParameters().entrySet().stream()
                .map(parameter -> parameter.getValue().size() > 1
                        ? new ParameterError(parameter.getKey(), "must be given once, not " + parameter.getValue().size()
                                + " times")
                        : api && parameter.getValue().get(0).isEmpty() && !emptyMeansAll(path, parameter.getKey())
                                ? new ParameterError(parameter.getKey(), "must not be empty; leave it out for its default")
                                : null)
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(ParameterError::parameter))
                .toList();
        if (!errors.isEmpty()) {
            throw new InvalidParametersException(errors);
        }
    }

    private static boolean emptyMeansAll(String path, String parameter) {
        return path.equals("/api/alerts") && parameter.equals("wiki");
    }
}
