"""The database `make test` runs on: prints its URL, and on stderr which one and why.

DATABASE_URL when it is set (CI sets it); else PostgreSQL on 127.0.0.1:5432 when it
answers (as CI runs); else SQLite, which skips the tests marked `postgresql`."""

import os
import sys

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/signaal"


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if url:
        print(url)
        return
    import psycopg

    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0]
        print(
            f"PostgreSQL does not answer on 127.0.0.1:5432 ({reason}): testing on SQLite, "
            "which skips the tests marked 'postgresql' (row locks, SKIP LOCKED, Dutch "
            "stemming, terminated connections; listed as SKIPPED at the end).",
            file=sys.stderr,
        )
        print("sqlite:///db.sqlite3")
        return
    print(f"Testing on PostgreSQL at 127.0.0.1:5432 ({LOCAL_POSTGRES}).", file=sys.stderr)
    print(LOCAL_POSTGRES)


if __name__ == "__main__":
    main()
