package tidelake.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * Apache Flink's side of the NEXMark benchmark (bench/run_nexmark_benchmark.py): runs NEXMark
 * SQL queries over the benchmark's Parquet files in one local mini-cluster. It prints JSON lines
 * on stdout: first the number of events the files hold (counted by Flink), Flink's version and
 * its state backend, then one per query: its status, the wall and net run times of its timed runs (s) and the rows
 * of its answer, or its error.
 *
 * <pre>
 *   NexmarkFlink --data DIR --queries DIR --events-ddl FILE [--query q0,q1,...]
 *                [--views FILE] [--parallelism 2] [--runs 1] [--state-backend hashmap|rocksdb]
 *                [--no-check]
 * </pre>
 *
 * <p>Each query runs as a streaming job (as the nexmark project runs it): the events table of
 * --events-ddl (a bounded filesystem source over DIR, with the reference's watermark), the views
 * of --views (default QUERIES/views.sql), and QUERIES/qN.sql inserted into a blackhole table with the query's own
 * schema. A bounded source ends with the final watermark, so every window closes and the job
 * finishes; its wall time, from submitting the job to its end, is what is measured.
 *
 * <p>Per query: one untimed run first, which warms the JIT and counts the query's answer (the
 * same job with a counting sink in place of the blackhole: the net rows of its changelog,
 * inserts and update-afters minus deletes and update-befores), then --runs timed runs into the
 * blackhole; the best is reported. --no-check makes the first run a blackhole one too.
 *
 * <p>The mini-cluster is started once (one task manager, --parallelism slots) and serves every
 * job, so cluster start-up is not counted. Settings follow the nexmark project's config.yaml
 * where they bear on a bounded run: object reuse, mini-batch (2 s, 50,000 rows), split distinct
 * aggregates; there are no checkpoints (the reference checkpoints RocksDB every 3 minutes, which a
 * run of seconds would not reach). State stays on the heap (the hashmap backend) unless
 * --state-backend rocksdb puts it in RocksDB (Flink's embedded RocksDB backend, in the task
 * manager's temporary directory, with Flink's default options).
 */
public final class NexmarkFlink {

  private NexmarkFlink() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = parseFlags(args);
    Path data = Path.of(require(flags, "data")).toAbsolutePath();
    Path queries = Path.of(require(flags, "queries"));
    String eventsDdl = Files.readString(Path.of(require(flags, "events-ddl")), StandardCharsets.UTF_8)
        .replace("${DATA_DIR}", data.toUri().toString());
    Path viewsFile = flags.containsKey("views") ? Path.of(flags.get("views")) : queries.resolve("views.sql");
    List<String> views = statements(Files.readString(viewsFile, StandardCharsets.UTF_8));
    String stateBackend = flags.getOrDefault("state-backend", "hashmap");
    if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
      throw new IllegalArgumentException("--state-backend must be hashmap or rocksdb, got '" + stateBackend + "'");
    }
    int parallelism = Integer.parseInt(flags.getOrDefault("parallelism", "2"));
    int runs = Integer.parseInt(flags.getOrDefault("runs", "1"));
    boolean check = !flags.containsKey("no-check");
    List<String> names = List.of(flags.getOrDefault("query", "q0,q1,q2,q3,q4,q5,q6,q7,q8,q11").split(","));

    Configuration clusterConfig = new Configuration();
    clusterConfig.set(RestOptions.BIND_PORT, "0");
    clusterConfig.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    MiniClusterConfiguration miniConfig = new MiniClusterConfiguration.Builder()
        .setConfiguration(clusterConfig)
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(parallelism)
        .build();
    try (MiniCluster cluster = new MiniCluster(miniConfig)) {
      cluster.start();
      Configuration client = new Configuration();
      client.set(DeploymentOptions.TARGET, "remote");
      client.set(DeploymentOptions.ATTACHED, true);
      client.set(JobManagerOptions.ADDRESS, cluster.getRestAddress().get().getHost());
      client.set(RestOptions.PORT, cluster.getRestAddress().get().getPort());
      client.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
      client.set(PipelineOptions.OBJECT_REUSE, true);
      client.set(StateBackendOptions.STATE_BACKEND, stateBackend);

      long events = countEvents(client, eventsDdl);
      System.out.println(json(Map.of("events", events, "parallelism", parallelism, "state_backend", stateBackend,
          "flink", org.apache.flink.runtime.util.EnvironmentInformation.getVersion())));
      for (String name : names) {
        String query = stripSemicolon(Files.readString(queries.resolve(name + ".sql"), StandardCharsets.UTF_8));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("query", name);
        line.put("events", events);
        try {
          Run first = run(client, eventsDdl, views, query, check);
          if (check) {
            line.put("rows", first.rows);
          }
          List<Double> times = new ArrayList<>();
          List<Double> netTimes = new ArrayList<>();
          for (int i = 0; i < runs; ++i) {
            Run timed = run(client, eventsDdl, views, query, false);
            times.add(timed.wallSeconds);
            netTimes.add(timed.netSeconds);
          }
          line.put("status", "ok");
          line.put("wall_s", times);
          line.put("net_runtime_s", netTimes);
        } catch (Exception e) {
          line.put("status", "error");
          line.put("error", rootMessage(e));
        }
        System.out.println(json(line));
        System.out.flush();
      }
    }
  }

  private static final class Run {
    double wallSeconds;
    double netSeconds;
    Long rows;
  }

  /** One streaming job of the query: into a blackhole, or into a counting sink (count). */
  private static Run run(Configuration client, String eventsDdl, List<String> views, String query, boolean count)
      throws Exception {
    // The constructor, not getExecutionEnvironment: that would start a local cluster of its own.
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(client);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    Configuration tableConfig = new Configuration();
    tableConfig.setString("table.exec.mini-batch.enabled", "true");
    tableConfig.setString("table.exec.mini-batch.allow-latency", "2s");
    tableConfig.setString("table.exec.mini-batch.size", "50000");
    tableConfig.setString("table.optimizer.distinct-agg.split.enabled", "true");
    tEnv.getConfig().addConfiguration(tableConfig);
    tEnv.executeSql(eventsDdl);
    for (String view : views) {
      tEnv.executeSql(view);
    }

    Run run = new Run();
    long start = System.nanoTime();
    Table table = tEnv.sqlQuery(query);
    JobExecutionResult result;
    if (count) {
      tEnv.toChangelogStream(table).process(new ChangelogCounter()).sinkTo(new DiscardingSink<>());
      result = env.execute("nexmark count");
      run.rows = result.<Long>getAccumulatorResult(ChangelogCounter.ACCUMULATOR);
    } else {
      TableResult inserted = table.executeInsert(TableDescriptor.forConnector("blackhole").build());
      result = inserted.getJobClient().orElseThrow().getJobExecutionResult().get();
    }
    run.wallSeconds = (System.nanoTime() - start) / 1e9;
    run.netSeconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1e3;
    return run;
  }

  /** The net number of rows of a changelog: +I and +U add one, -U and -D take one away. */
  private static final class ChangelogCounter extends ProcessFunction<Row, Row> {
    static final String ACCUMULATOR = "net-rows";
    private final LongCounter rows = new LongCounter();

    @Override
    public void open(OpenContext context) {
      getRuntimeContext().addAccumulator(ACCUMULATOR, rows);
    }

    @Override
    public void processElement(Row row, Context context, Collector<Row> out) {
      RowKind kind = row.getKind();
      rows.add(kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER ? 1 : -1);
    }
  }

  /** The number of events in the files, read by Flink (a batch job). */
  private static long countEvents(Configuration client, String eventsDdl) throws Exception {
    Configuration config = new Configuration(client);
    config.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
    // Its statistics reader cannot read INT96 statistics (a warning per file); a count needs none.
    config.setString("table.optimizer.source.report-statistics-enabled", "false");
    StreamTableEnvironment batch =
        StreamTableEnvironment.create(new StreamExecutionEnvironment(config), EnvironmentSettings.inBatchMode());
    batch.executeSql(eventsDdl);
    try (var rows = batch.executeSql("SELECT COUNT(*) FROM events").collect()) {
      return ((Number) rows.next().getField(0)).longValue();
    }
  }

  // ---- small helpers: flags, SQL text, JSON

  private static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; ++i) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected a --flag, got '" + args[i] + "'");
      }
      String key = args[i].substring(2);
      if (key.startsWith("no-")) {
        flags.put(key, "true");
      } else if (i + 1 < args.length) {
        flags.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException("--" + key + " needs a value");
      }
    }
    return flags;
  }

  private static String require(Map<String, String> flags, String name) {
    String value = flags.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return value;
  }

  /** The statements of a SQL file: `--` comment lines dropped, split at a `;` ending a line. */
  static List<String> statements(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        out.add(stripSemicolon(current.toString()));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(stripSemicolon(current.toString()));
    }
    return out;
  }

  static String stripSemicolon(String sql) {
    String s = sql.strip();
    return s.endsWith(";") ? s.substring(0, s.length() - 1) : s;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String first = t.getClass().getSimpleName() + ": " + String.valueOf(t.getMessage());
    if (t != e) {
      first = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0] + " <- " + first;
    }
    return first.split("\n")[0];
  }

  private static String json(Map<String, ?> map) {
    StringBuilder b = new StringBuilder("{");
    boolean firstField = true;
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (!firstField) {
        b.append(", ");
      }
      firstField = false;
      b.append(quote(e.getKey())).append(": ").append(value(e.getValue()));
    }
    return b.append('}').toString();
  }

  private static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number) {
      return v instanceof Double ? String.format(Locale.ROOT, "%.6f", (Double) v) : v.toString();
    }
    if (v instanceof List) {
      StringBuilder b = new StringBuilder("[");
      for (Object o : (List<?>) v) {
        if (b.length() > 1) {
          b.append(", ");
        }
        b.append(value(o));
      }
      return b.append(']').toString();
    }
    return quote(v.toString());
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
