package dev.tollgate.plugin.clickhouse;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Inserts each batch with one {@code INSERT … FORMAT JSONEachRow}: ClickHouse writes a block of
 * one insert atomically (up to its {@code max_insert_block_size}, far above a sink batch), so the
 * batch lands whole or the call throws. A batch delivered twice (the kernel retries after an error
 * it could not tell from a loss) collapses to one row per request id in the
 * {@code ReplacingMergeTree}; {@code SELECT … FINAL} counts exactly before parts merge.
 *
 * <p>The database, the table and missing columns are created at start; when the server cannot be
 * reached then, at the first write instead.
 */
final class ClickHouseSink implements LogSink, dev.tollgate.spi.sink.SpendReports {

    private static final int MAX_COLUMN_LIST_BYTES = 1 << 20;
    private static final int MAX_REPORT_BYTES = 16 << 20;
    /** ClickHouse's codes for an unknown table (60) and database (81): someone dropped them; the retry recreates them. */
    private static final Pattern UNKNOWN_TABLE_OR_DATABASE = Pattern.compile("Code: (60|81)\\b");

    private final ClickHouseSinkConfig config;
    private final ClickHouseHttp http;
    private final System.Logger log;
    private final JsonFactory json = new JsonFactory();
    private final String insert;
    private volatile boolean schemaReady;

    private ClickHouseSink(ClickHouseSinkConfig config, ClickHouseHttp http, System.Logger log) {
        this.config = requireNonNull(config, "config is null");
        this.http = requireNonNull(http, "http is null");
        this.log = requireNonNull(log, "log is null");
        this.insert = "INSERT INTO " + config.qualifiedTable() + " FORMAT JSONEachRow";
    }

    /** A sink whose table is prepared now if the server answers, else at the first write. */
    static ClickHouseSink start(ClickHouseSinkConfig config, System.Logger log) {
        ClickHouseSink sink = new ClickHouseSink(config, new ClickHouseHttp(config), log);
        try {
            sink.prepareSchema();
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "the ClickHouse sink could not prepare " + config.qualifiedTable() + " at start ("
                    + e.getMessage() + "); it tries again at its first write, and the kernel keeps the records meanwhile");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sink;
    }

    @Override
    public void write(List<RequestRecord> batch) throws IOException, InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        if (!schemaReady) {
            prepareSchema();
        }
        try {
            http.insert(insert, rows(batch), insert);
        } catch (IOException e) {
            if (UNKNOWN_TABLE_OR_DATABASE.matcher(String.valueOf(e.getMessage())).find()) {
                schemaReady = false;
            }
            throw e;
        }
    }

    /**
     * Spend, requests and tokens from the table, FINAL so that a batch delivered twice counts once:
     * every request the gateway answered, not only the governed ones the ledger holds. A team is
     * the request's own team (no sub-team roll-up).
     */
    @Override
    public List<dev.tollgate.spi.store.SpendQuery.Row> spend(dev.tollgate.spi.store.SpendQuery q) throws Exception {
        String group = switch (q.groupBy()) {
            case KEY -> "key_id";
            case TEAM -> "team_id";
            case MODEL -> "model";
            case DAY -> "toString(toDate(started_at))";
        };
        StringBuilder where = new StringBuilder(" WHERE ").append(group).append(" != ''");
        if (q.from() != null) {
            where.append(" AND toUInt64(started_at) * 1000000 + started_at_us >= ").append(micros(q.from()));
        }
        if (q.to() != null) {
            where.append(" AND toUInt64(started_at) * 1000000 + started_at_us < ").append(micros(q.to()));
        }
        String sql = "SELECT " + group + ", sum(ifNull(cost_micros, 0)), count(), countIf(cost_known = 0), "
                + "sum(ifNull(input_tokens, 0)), sum(ifNull(output_tokens, 0)) FROM " + config.qualifiedTable() + " FINAL" + where
                + " GROUP BY " + group + " ORDER BY " + group + " FORMAT TabSeparated";
        String answer = http.execute(sql, "the spend report of " + config.qualifiedTable(), MAX_REPORT_BYTES);
        List<dev.tollgate.spi.store.SpendQuery.Row> rows = new java.util.ArrayList<>();
        for (String line : answer.lines().toList()) {
            String[] f = line.split("\t", -1);
            if (f.length != 6) {
                throw new IOException("unexpected answer line from ClickHouse: " + line.length() + " characters");
            }
            rows.add(dev.tollgate.spi.store.SpendQuery.Row.builder(unescape(f[0])).microUsd(Long.parseLong(f[1]))
                    .requests(Long.parseLong(f[2])).unpricedRequests(Long.parseLong(f[3])).inputTokens(Long.parseLong(f[4]))
                    .outputTokens(Long.parseLong(f[5])).build());
        }
        return rows;
    }

    private static long micros(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    /** TabSeparated escapes backslash, tab and line ends with a backslash. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> n;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        http.close();
    }

    private byte[] rows(List<RequestRecord> batch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(batch.size() * 768);
        try (JsonGenerator g = json.createGenerator(out)) {
            for (RequestRecord r : batch) {
                Columns.writeRow(g, r);
                g.writeRaw('\n');
            }
        }
        return out.toByteArray();
    }

    /** Creates the database and the table if missing, and adds the columns an older table lacks. */
    private synchronized void prepareSchema() throws IOException, InterruptedException {
        if (schemaReady) {
            return;
        }
        http.execute("CREATE DATABASE IF NOT EXISTS " + config.database(), "CREATE DATABASE " + config.database(), 0);
        http.execute(Columns.createTable(config.qualifiedTable()), "CREATE TABLE " + config.qualifiedTable(), 0);
        String answer = http.execute("SELECT name FROM system.columns WHERE database = '" + config.database() + "' AND table = '"
                + config.table() + "' FORMAT TabSeparated", "the columns of " + config.qualifiedTable(), MAX_COLUMN_LIST_BYTES);
        Set<String> present = new HashSet<>(answer.lines().toList());
        for (Columns.Column c : Columns.ALL) {
            if (!present.contains(c.name())) {
                http.execute("ALTER TABLE " + config.qualifiedTable() + " ADD COLUMN " + c.name() + " " + c.type(),
                        "ALTER TABLE " + config.qualifiedTable() + " ADD COLUMN " + c.name(), 0);
                log.log(System.Logger.Level.INFO, "added column " + c.name() + " to " + config.qualifiedTable());
            }
        }
        schemaReady = true;
    }
}
