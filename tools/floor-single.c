/*
 * floor-single.c -- what one durable transaction per event costs the disk when the store
 * keeps what the SPEC asks of meetlog, measured beside the bench kit's C floor (a).
 *
 * The kit's floor (../shared/bench/raw_floor.c, phase (a)) appends each event to one
 * table: one B-tree leaf changes per commit. meetlog must also find an event by its id
 * (ids are unique: every append looks the id up) and chain each event to the one before
 * by a hash. This program runs the floor's loop (same events, same zstd level, same
 * WAL + synchronous=FULL, one BEGIN/INSERT/COMMIT per event) on stores that keep more:
 *
 *   kit_floor        the kit's table, as raw_floor.c (a)
 *   ids_and_hashes   + a 32-byte hash column, + an id index table (64-bit key, seq), with
 *                    the lookup of the id before the insert: the least a store with unique
 *                    ids and a stored chain can write
 *   plus_time_index  + an index on the occurrence time (the fold order)
 *   plus_commits     + a row per commit with its recorded time
 *   meetlog_layout   + a name row for events that define a name (meetings, pledges): the
 *                    five B-trees meetlog's store format 2 writes
 *
 * No parsing, no fold, no checks beyond the id lookup: only SQLite, zstd and SHA-256's
 * stand-in (the hash bytes are the previous hash xor the compressed size; the disk cannot
 * tell). Variants run interleaved, --rounds times, and the median is printed.
 *
 * Build:  cc -O2 -Wall -o floor-single tools/floor-single.c -lsqlite3 -lzstd
 * Usage:  floor-single EVENTS.ndjson WORKDIR [--events 20000] [--rounds 3]
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

enum { FLOOR, ID, TIME, COMMIT, MEETLOG, VARIANTS };
static const char *names[VARIANTS] = {"kit_floor", "ids_and_hashes", "plus_time_index", "plus_commits",
                                       "meetlog_layout"};

typedef struct {
    const char *line;
    size_t len;
    char type[32];
    int64_t occurred;
    uint64_t key;
    int defines;
} Ev;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "floor-single: %s: %s\n", what, detail);
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The text of a string member, or NULL: enough for the generator's lines. */
static const char *member(const char *line, const char *name, size_t *len) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", name);
    const char *at = strstr(line, pattern);
    if (!at) return NULL;
    at += strlen(pattern);
    const char *end = strchr(at, '"');
    *len = end ? (size_t)(end - at) : 0;
    return at;
}

static uint64_t fnv1a(const char *bytes, size_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)bytes[i]) * 0x100000001b3ULL;
    return h;
}

static Ev *load(const char *path, size_t limit, size_t *count) {
    FILE *f = fopen(path, "r");
    if (!f) die("open", path);
    Ev *evs = calloc(limit, sizeof *evs);
    char *line = NULL;
    size_t cap = 0, n = 0;
    ssize_t len;
    while (n < limit && (len = getline(&line, &cap, f)) > 0) {
        Ev *e = &evs[n];
        e->line = strndup(line, (size_t)len);
        e->len = (size_t)len;
        size_t l;
        const char *s = member(line, "type", &l);
        if (s) snprintf(e->type, sizeof e->type, "%.*s", (int)l, s);
        s = member(line, "occurred_at", &l);
        /* a number that orders like the date (YYYY-MM-DD...) */
        e->occurred = s && l >= 10 ? ((atoll(s) * 13 + atoll(s + 5)) * 32 + atoll(s + 8)) * 86400000000LL : 0;
        s = member(line, "id", &l);
        e->key = s ? fnv1a(s, l) : (uint64_t)n;
        e->defines = !strcmp(e->type, "meeting.held") || !strcmp(e->type, "agreement.pledged");
        n++;
    }
    free(line);
    fclose(f);
    *count = n;
    return evs;
}

static void exec(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) die(sql, error);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) die(sql, sqlite3_errmsg(db));
    return s;
}

static void run(sqlite3 *db, sqlite3_stmt *s) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {}
    if (rc != SQLITE_DONE) die("step", sqlite3_errmsg(db));
    sqlite3_reset(s);
}

static double phase(int variant, const char *dir, const Ev *evs, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/floor-single-%d.db", dir, variant);
    for (const char *suffix = ""; suffix; suffix = *suffix ? NULL : "-wal") {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", path, suffix);
        unlink(p);
    }
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) die("open", path);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
    /* The floor's loop never writes the index tables: they only keep the statements valid. */
    if (variant == FLOOR)
        exec(db, "CREATE TABLE events(seq INTEGER PRIMARY KEY, type TEXT NOT NULL, "
                 "occurred_at INTEGER NOT NULL, payload BLOB NOT NULL)");
    else
        exec(db, "CREATE TABLE events(seq INTEGER PRIMARY KEY, type INTEGER NOT NULL, "
                 "occurred_us INTEGER NOT NULL, dict_id INTEGER NOT NULL, payload BLOB NOT NULL, "
                 "hash BLOB NOT NULL)");
    exec(db, "CREATE TABLE ids(key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) "
             "WITHOUT ROWID;"
             "CREATE TABLE names(key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) "
             "WITHOUT ROWID;"
             "CREATE TABLE commits(first_seq INTEGER PRIMARY KEY, recorded_us INTEGER NOT NULL);");
    if (variant >= TIME) exec(db, "CREATE INDEX events_by_occurrence ON events(occurred_us)");
    sqlite3_stmt *begin = prepare(db, variant == FLOOR ? "BEGIN" : "BEGIN IMMEDIATE");
    sqlite3_stmt *commit = prepare(db, "COMMIT");
    sqlite3_stmt *insert = prepare(db, variant == FLOOR
        ? "INSERT INTO events(type, occurred_at, payload) VALUES (?1, ?2, ?3)"
        : "INSERT INTO events(type, occurred_us, dict_id, payload, hash) VALUES (?1, ?2, 0, ?3, ?4)");
    sqlite3_stmt *lookup = prepare(db, "SELECT seq FROM ids WHERE key = ?1");
    sqlite3_stmt *id = prepare(db, "INSERT INTO ids(key, seq) VALUES (?1, ?2)");
    sqlite3_stmt *name = prepare(db, "INSERT INTO names(key, seq) VALUES (?1, ?2)");
    sqlite3_stmt *stamp = prepare(db, "INSERT INTO commits(first_seq, recorded_us) VALUES (?1, ?2)");

    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    size_t capacity = 1 << 16;
    uint8_t *frame = malloc(capacity), hash[32] = {0};
    double start = now();
    for (size_t i = 0; i < n; i++) {
        const Ev *e = &evs[i];
        int64_t seq = (int64_t)i + 1;
        size_t size = ZSTD_compressCCtx(cctx, frame, capacity, e->line, e->len, 3);
        if (ZSTD_isError(size)) die("compress", ZSTD_getErrorName(size));
        run(db, begin);
        if (variant == FLOOR) {
            sqlite3_bind_text(insert, 1, e->type, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_int64(lookup, 1, (int64_t)e->key);
            run(db, lookup);
            for (int b = 0; b < 32; b++) hash[b] ^= (uint8_t)(size >> (b % 8));
            sqlite3_bind_int(insert, 1, (int)(e->len % 7));
            sqlite3_bind_blob(insert, 4, hash, 32, SQLITE_STATIC);
        }
        sqlite3_bind_int64(insert, 2, e->occurred);
        sqlite3_bind_blob(insert, 3, frame, (int)size, SQLITE_STATIC);
        run(db, insert);
        if (variant >= ID) {
            sqlite3_bind_int64(id, 1, (int64_t)e->key);
            sqlite3_bind_int64(id, 2, seq);
            run(db, id);
        }
        if (variant >= COMMIT) {
            sqlite3_bind_int64(stamp, 1, seq);
            sqlite3_bind_int64(stamp, 2, 1700000000000000LL + seq);
            run(db, stamp);
        }
        if (variant >= MEETLOG && e->defines) {
            sqlite3_bind_int64(name, 1, (int64_t)(e->key ^ 1));
            sqlite3_bind_int64(name, 2, seq);
            run(db, name);
        }
        run(db, commit);
    }
    double seconds = now() - start;
    free(frame);
    ZSTD_freeCCtx(cctx);
    sqlite3_stmt *all[] = {begin, commit, insert, lookup, id, name, stamp};
    for (size_t s = 0; s < sizeof all / sizeof *all; s++) sqlite3_finalize(all[s]);
    sqlite3_close(db);
    return n / seconds;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) die("usage", "floor-single EVENTS.ndjson WORKDIR [--events N] [--rounds R]");
    size_t limit = 20000, rounds = 3;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--events")) limit = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--rounds")) rounds = (size_t)atol(argv[i + 1]);
        else die("unknown option", argv[i]);
    }
    size_t n;
    Ev *evs = load(argv[1], limit, &n);
    double *rates = calloc(VARIANTS * rounds, sizeof *rates);
    for (size_t r = 0; r < rounds; r++)
        for (int v = 0; v < VARIANTS; v++) {
            rates[v * rounds + r] = phase(v, argv[2], evs, n);
            fprintf(stderr, "round %zu %-15s %8.0f ev/s\n", r + 1, names[v], rates[v * rounds + r]);
        }
    printf("one durable transaction per event, %zu events, median of %zu interleaved rounds\n", n, rounds);
    double floor_rate = 0;
    for (int v = 0; v < VARIANTS; v++) {
        qsort(rates + v * rounds, rounds, sizeof *rates, by_value);
        double median = rates[v * rounds + rounds / 2];
        if (v == FLOOR) floor_rate = median;
        printf("RESULT floor_single %s %.0f ev/s (%.2fx kit_floor)\n", names[v], median, median / floor_rate);
    }
    return 0;
}
