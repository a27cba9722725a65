-- wiki id ↔ domain (enwiki ↔ en.wikipedia.org), learnt from the events, so that queries accept either.
CREATE TABLE wiki_domains (
    wiki   text PRIMARY KEY,
    domain text NOT NULL
);
CREATE INDEX wiki_domains_domain ON wiki_domains (domain);
