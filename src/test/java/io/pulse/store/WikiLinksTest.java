package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WikiLinksTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "EFL Championship          | https://en.wikipedia.org/wiki/EFL_Championship",
            "Talk:AC/DC                | https://en.wikipedia.org/wiki/Talk:AC/DC",
            "Foo (bar) & baz?          | https://en.wikipedia.org/wiki/Foo_%28bar%29_%26_baz%3F",
            "100% #1+1                 | https://en.wikipedia.org/wiki/100%25_%231%2B1",
            "Zürich                    | https://en.wikipedia.org/wiki/Z%C3%BCrich",
            "東京                       | https://en.wikipedia.org/wiki/%E6%9D%B1%E4%BA%AC" })
    void shouldLinkAPageAsMediaWikiDoes(String title, String url) {
        assertThat(WikiLinks.page("en.wikipedia.org", title)).isEqualTo(url);
    }

    @Test
    void shouldLinkAUserToTheirUserPage() {
        assertThat(WikiLinks.user("www.wikidata.org", "Artix Kreiger 2"))
                .isEqualTo("https://www.wikidata.org/wiki/User:Artix_Kreiger_2");
        assertThat(WikiLinks.user("en.wikipedia.org", "2601:680::1")).isEqualTo("https://en.wikipedia.org/wiki/User:2601:680::1");
    }

    /** The domain comes from the feed: one that is not a host name must not send the reader elsewhere. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "en.wikipedia.org@evil.example", "evil.example/x?",
            "evil.example#", "evil.example:8080", "", ".", "en..wikipedia.org", "en.wikipedia.org ", "-x.org" })
    void shouldGiveNoLinkWhenTheDomainIsNotAHostName(String domain) {
        assertThat(WikiLinks.page(domain, "Anything")).isNull();
        assertThat(WikiLinks.user(domain, "Anyone")).isNull();
    }

    @Test
    void shouldGiveNoLinkWhenTheDomainIsUnknown() {
        assertThat(WikiLinks.page(null, "Anything")).isNull();
        assertThat(WikiLinks.user(null, "Anyone")).isNull();
    }
}
