package io.pulse.api.problem;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.pulse.aggregate.Causes;
import io.pulse.store.DatabaseUnreachable;
import io.pulse.store.ReadTimedOutException;
import io.pulse.store.ReadsBusyException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Every error of the HTTP API as an RFC 9457 problem: invalid parameters (400), JAX-RS errors such
 * as an unknown path (404) or method (405), a read cancelled for its time or the database away (503),
 * and anything unexpected (500). Clients never see a
 * stack trace or an exception message: a 500 carries an incident id that is logged with the cause.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    /** A restart or a fail-over of PostgreSQL takes seconds; the readiness check tells more (degraded). */
    static final String RETRY_AFTER_UNREACHABLE_SECONDS = "5";

    @ServerExceptionMapper
    public RestResponse<Problem> invalidParameters(InvalidParametersException e, HttpServerRequest request) {
        return respond(Problem.invalidParameters(e.errors(), request.path()));
    }

    /** JAX-RS errors; a response the thrower already built (a problem of its own) goes out unchanged. */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        Response original = e.getResponse();
        if (original.hasEntity()) {
            return original;
        }
        int status = original.getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.ofStatus(status, title, detailFor(status), request.path()));
        // Keep what the status needs to be acted on: Allow of a 405, Retry-After of a 503.
        for (String header : new String[] { "Allow", "Retry-After" }) {
            if (original.getHeaderString(header) != null) {
                response.header(header, original.getHeaderString(header));
            }
        }
        return response.build();
    }

    /** Not retried for the client: the same read would likely run as long again. */
    @ServerExceptionMapper
    public RestResponse<Problem> readTimedOut(ReadTimedOutException e, HttpServerRequest request) {
        LOG.warnf("A read for %s %s was cancelled after %d ms", request.method(), request.path(), e.timeout().toMillis());
        return respond(Problem.ofStatus(503, "Query timed out", "The query ran longer than the "
                + e.timeout().toMillis() + " ms allowed; ask for a shorter range, or try again later",
                request.path()));
    }

    /** Retried after a second: the reads ahead of it take about that long, at most the read timeout. */
    @ServerExceptionMapper
    public RestResponse<Problem> readsBusy(ReadsBusyException e, HttpServerRequest request) {
        LOG.debugf("Refused %s %s: %s", request.method(), request.path(), e.getMessage());
        Problem problem = Problem.ofStatus(503, "Too many reads in progress",
                "The database is busy with other reads; try again in a second", request.path());
        return RestResponse.ResponseBuilder.<Problem> create(503).entity(problem).type(Problem.MEDIA_TYPE)
                .header("Retry-After", "1").build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unexpected(Throwable e, HttpServerRequest request) {
        if (DatabaseUnreachable.is(e)) {
            return databaseUnreachable(e, request);
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected failure serving %s %s (incident %s)", request.method(), request.path(), incident);
        return respond(Problem.ofStatus(500, "Internal Server Error",
                "The request could not be served; the error was logged as incident " + incident, request.path()));
    }

    /**
     * The database away (stopped, restarting, failing over): not a bug, so no incident and no stack trace in
     * the log, one line per request; the client retries in a few seconds.
     */
    private static RestResponse<Problem> databaseUnreachable(Throwable e, HttpServerRequest request) {
        List<Throwable> causes = Causes.of(e);
        LOG.warnf("The database is unreachable, %s %s answered 503: %s", request.method(), request.path(),
                causes.get(causes.size() - 1)); // the innermost: what the client met
        Problem problem = Problem.ofStatus(503, "Database unavailable",
                "The database cannot be reached for now; try again in a few seconds", request.path());
        return RestResponse.ResponseBuilder.<Problem> create(503).entity(problem).type(Problem.MEDIA_TYPE)
                .header("Retry-After", RETRY_AFTER_UNREACHABLE_SECONDS).build();
    }

    private static String detailFor(int status) {
        return switch (status) {
            case 404 -> "There is no resource at this path; see /q/openapi for the API";
            case 405 -> "This method is not allowed on this resource";
            case 406 -> "This resource only produces application/json";
            case 415 -> "This media type is not supported here";
            case 503 -> "The service is unavailable for now; try again later";
            default -> "The request could not be served as sent";
        };
    }

    private static RestResponse<Problem> respond(Problem problem) {
        return RestResponse.ResponseBuilder.<Problem> create(problem.status()).entity(problem).type(Problem.MEDIA_TYPE).build();
    }
}
