package io.pulse.api.problem;

import java.util.List;

/** Thrown when request parameters are invalid; mapped to a 400 problem listing every error. */
public class InvalidParametersException extends RuntimeException {

    private final transient List<ParameterError> errors;

    public InvalidParametersException(List<ParameterError> errors) {
        // No stack trace: an expected outcome of bad input, not a fault worth the cost.
        super(errors.get(0).detail(), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<ParameterError> errors() {
        return errors;
    }
}
