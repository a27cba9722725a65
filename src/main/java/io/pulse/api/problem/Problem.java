package io.pulse.api.problem;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, served as {@code application/problem+json}. For invalid parameters the
 * extension members {@code parameter} (the first offending one) and {@code errors} (all of them) are set.
 */
@Schema(name = "Problem", description = "RFC 9457 problem details")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @Schema(description = "URI identifying the problem type") String type,
        @Schema(description = "Short summary of the problem type") String title,
        @Schema(description = "HTTP status code") int status,
        @Schema(description = "Explanation of this occurrence") String detail,
        @Schema(description = "The request path this occurrence happened at") String instance,
        @Schema(description = "The first invalid query or path parameter") String parameter,
        @Schema(description = "Every invalid parameter, when parameters are invalid") List<ParameterError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Not dereferenceable (RFC 9457 allows tag URIs); the README and /q/openapi describe it. */
    public static final String INVALID_PARAMETER = "tag:pulse-analytics.github.io,2026:problems/invalid-parameter";
    /** RFC 9457: the problem has no more semantics than its HTTP status. */
    public static final String ABOUT_BLANK = "about:blank";

    public static Problem invalidParameters(List<ParameterError> errors, String instance) {
        String detail = errors.size() == 1 ? errors.get(0).detail()
                : errors.size() + " parameters are invalid; see errors";
        return new Problem(INVALID_PARAMETER, "Invalid request parameter", 400, detail, instance,
                errors.get(0).parameter(), errors);
    }

    /** 503 with {@code Retry-After}: a live stream at its subscriber cap. */
    public static WebApplicationException tooManySubscribers(String detail, String instance) {
        return busy("Too many subscribers", detail, instance);
    }

    /** 503 with {@code Retry-After: 5}: busy for now (a cap reached, a lock held), worth trying again. */
    public static WebApplicationException busy(String title, String detail, String instance) {
        return new WebApplicationException(Response.status(503).type(MEDIA_TYPE).header("Retry-After", "5")
                .entity(ofStatus(503, title, detail, instance)).build());
    }

    public static Problem ofStatus(int status, String title, String detail, String instance) {
        return new Problem(ABOUT_BLANK, title, status, detail, instance, null, null);
    }
}
