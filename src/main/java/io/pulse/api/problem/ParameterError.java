package io.pulse.api.problem;

/** One invalid request parameter and what is wrong with it (never echoing the value). */
public record ParameterError(String parameter, String detail) {
}
