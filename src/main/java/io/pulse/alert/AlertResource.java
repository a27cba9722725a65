package io.pulse.alert;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;
import io.pulse.api.problem.Problem;
import io.pulse.api.query.QueryParameters;
import io.smallrye.mutiny.Uni;

/** Stored alerts and the rules (public reads); changing a rule needs the admin key. */
@Path("/api/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

    private static final int MAX_LIMIT = 1000;

    private final AlertStore store;
    private final AlertRules rules;
    private final ObjectMapper json;

    public AlertResource(AlertStore store, AlertRules rules, ObjectMapper json) {
        this.store = store;
        this.rules = rules;
        this.json = json;
    }

    public record AlertsAnswer(Instant since, String rule, Severity severity, String wiki, int limit, List<Alert> items) {
    }

    @GET
    @Operation(summary = "Raised alerts, newest event time first")
    @APIResponse(responseCode = "400", description = "Invalid parameter (problem JSON naming it)")
    @APIResponse(responseCode = "503", description = "The query ran longer than pulse.store.read-timeout and was"
            + " cancelled, or too many reads were in progress (problem JSON; Retry-After then)")
    public Uni<AlertsAnswer> alerts(@QueryParam("since") String since, @QueryParam("rule") String rule,
            @QueryParam("severity") String severity, @QueryParam("wiki") String wiki, @QueryParam("limit") String limit) {
        List<ParameterError> errors = new ArrayList<>();
        Instant from = null;
        if (since != null) {
            try {
                from = QueryParameters.parseInstant(since);
                if (!QueryParameters.inRange(from)) { // +999999999-12-31T23:59:59-18:00 parses, then fails in SQL
                    errors.add(new ParameterError("since", "must be between 1970 and 9999"));
                    from = null;
                }
            } catch (DateTimeParseException e) {
                errors.add(new ParameterError("since", "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z"));
            }
        }
        if (rule != null && !RuleSet.NAMES.contains(rule)) {
            errors.add(new ParameterError("rule", "must be one of " + String.join(", ", RuleSet.NAMES)));
        }
        Severity level = severity == null ? null : Severity.parse(severity);
        if (severity != null && level == null) {
            errors.add(new ParameterError("severity", "must be one of info, warning, critical"));
        }
        ParameterError wikiError = QueryParameters.wikiError(wiki);
        if (wikiError != null) {
            errors.add(wikiError);
        }
        int max = 100;
        if (limit != null) {
            max = limit.matches("\\d{1,4}") ? Integer.parseInt(limit) : -1;
            if (max < 1 || max > MAX_LIMIT) {
                errors.add(new ParameterError("limit", "must be an integer from 1 to " + MAX_LIMIT));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidParametersException(errors);
        }
        Instant sinceAt = from;
        int count = max;
        return store.find(from, rule, level, wiki, max).map(items -> new AlertsAnswer(sinceAt, rule, level, wiki, count, items));
    }

    @GET
    @Path("/rules")
    @Operation(summary = "The rules in force")
    public Map<String, Rule> rules() {
        Map<String, Rule> out = new java.util.LinkedHashMap<>();
        rules.current().all().forEach(r -> out.put(r.name(), r));
        return out;
    }

    @PUT
    @AdminOnly
    @Path("/rules/{name}")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change one rule (admin key required); fields absent keep their value")
    @APIResponse(responseCode = "400", description = "Invalid field (problem JSON naming it)")
    @APIResponse(responseCode = "401", description = "Missing or wrong admin key (problem JSON)")
    @APIResponse(responseCode = "404", description = "No such rule")
    @APIResponse(responseCode = "503", description = "Another change of the rule held it too long; try again (Retry-After)")
    @Parameter(name = "X-API-Key", in = ParameterIn.HEADER, description = "The admin key (or Authorization: Bearer)")
    public Uni<Rule> update(@PathParam("name") String name,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
            String body) {
        // The admin key was checked by AdminKeyFilter, before the body was read.
        if (!RuleSet.NAMES.contains(name)) {
            throw new jakarta.ws.rs.NotFoundException();
        }
        return rules.update(name, RuleJson.parse(json, body)).onFailure(RuleChangeBusyException.class)
                .transform(busy -> Problem.busy("Rule change in progress", busy.getMessage(), "/api/alerts/rules/" + name));
    }
}
