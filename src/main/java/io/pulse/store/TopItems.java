package io.pulse.store;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The rows of the top-N reads. Bytes and new pages are null when a bot filter is applied to a table
 * that only counts bot changes apart (all but users): the store cannot split them by bot.
 */
public final class TopItems {

    static final String UNSPLIT = "Null with bot=exclude or only: the store does not count it apart for bots";

    @Schema(name = "TopUser", description = "A user of one wiki; url: the user page, null when the domain is unknown")
    public record User(String user, String wiki, boolean bot, long changes,
            @JsonProperty("bytes_added") long bytesAdded,
            @JsonProperty("bytes_removed") long bytesRemoved,
            @JsonProperty("new_pages") long newPages,
            String url) {
    }

    @Schema(name = "TopPage", description = "A page of one wiki; url: the page, null when the domain is unknown")
    public record Page(String title, String wiki, int namespace, long changes,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_added") Long bytesAdded,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_removed") Long bytesRemoved,
            @Schema(description = UNSPLIT) @JsonProperty("new_pages") Long newPages,
            String url) {
    }

    @Schema(name = "TopNamespace", description = "A namespace (number; -1: none), summed over the wikis selected")
    public record Namespace(int namespace, long changes,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_added") Long bytesAdded,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_removed") Long bytesRemoved,
            @Schema(description = UNSPLIT) @JsonProperty("new_pages") Long newPages) {
    }

    @Schema(name = "TopWiki", description = "A wiki and its domain")
    public record Wiki(String wiki, String domain, long changes,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_added") Long bytesAdded,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_removed") Long bytesRemoved,
            @Schema(description = UNSPLIT) @JsonProperty("new_pages") Long newPages) {
    }

    @Schema(name = "TopType", description = "A change type: edit, new, log, categorize or external")
    public record Type(String type, long changes,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_added") Long bytesAdded,
            @Schema(description = UNSPLIT) @JsonProperty("bytes_removed") Long bytesRemoved) {
    }

    private TopItems() {
    }
}
