"""Wagtail search on PostgreSQL with the Dutch text search configuration.

The Dutch Snowball stemmer keeps a doubled consonant ('vlaggen' becomes 'vlagg', 'vlag'
stays 'vlag'), so a plain match would not find 'rode vlaggen' for 'vlag'. Matching the
last word of a query as a prefix of the stemmed word ('vlag:*') closes that gap and also
helps people who type a word half."""

from wagtail.search.backends.database.postgres.postgres import (
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)


class DutchPrefixSearchQueryCompiler(PostgresSearchQueryCompiler):
    LAST_TERM_IS_PREFIX = True


class DutchPostgresSearchBackend(PostgresSearchBackend):
    query_compiler_class = DutchPrefixSearchQueryCompiler


SearchBackend = DutchPostgresSearchBackend
