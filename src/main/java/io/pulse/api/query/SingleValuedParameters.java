package io.pulse.api.query;

import java.util.Comparator;
import java.util.List;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;

/**
 * Every query parameter of the API and the streams takes one value. Given twice, the first one was used and the
 * other dropped unsaid ({@code ?wiki=enwiki&wiki=dewiki} read as a union, answered for enwiki alone): now a 400
 * naming each such parameter, before the method runs.
 */
public class SingleValuedParameters {

    @ServerRequestFilter
    public void refuseRepeated(ContainerRequestContext request) {
        List<ParameterError> errors = request.getUriInfo().getQueryParameters().entrySet().stream()
                .filter(parameter -> parameter.getValue().size() > 1)
                .map(parameter -> new ParameterError(parameter.getKey(), "must be given once, not "
                        + parameter.getValue().size() + " times"))
                .sorted(Comparator.comparing(ParameterError::parameter))
                .toList();
        if (!errors.isEmpty()) {
            throw new InvalidParametersException(errors);
        }
    }
}
