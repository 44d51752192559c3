package dev.modelhost.spring.internal;

import dev.modelhost.api.Json;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger;
import dev.modelhost.spring.store.UsageLedger.GroupBy;
import dev.modelhost.spring.store.UsageQuery;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /admin/usage} (totals per owner, key and service over a time window) and
 * {@code GET /admin/usage/records} (the records, a page at a time, or all of them as CSV). Both
 * first let the ledger writer catch up for a moment, so a request that just ended is counted.
 */
final class UsageEndpoints {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final Duration CATCH_UP = Duration.ofSeconds(2);
  private static final Set<String> FILTERS = Set.of("from", "to", "owner", "service", "key_id");
  private static final String CSV_HEADER = "id,key_id,owner,service,service_instance_id,endpoint,finish_reason,"
      + "prompt_tokens,completion_tokens,estimated,started_at,ended_at,cost,currency\n";

  private final UsageLedger ledger;
  private final LedgerWriter writer;

  UsageEndpoints(UsageLedger ledger, LedgerWriter writer) {
    this.ledger = ledger;
    this.writer = writer;
  }

  AdminJson.UsageList totals(HttpServletRequest request) {
    checkParameters(request, Set.of("group_by"));
    UsageQuery query = query(request);
    Set<GroupBy> groupBy = groupBy(request.getParameter("group_by"));
    catchUp();
    var data = ledger.totals(query, groupBy).stream().map(AdminJson.UsageView::of).toList();
    return new AdminJson.UsageList("list", AdminJson.seconds(query.from()), AdminJson.seconds(query.to()),
        groupBy.stream().map(g -> g == GroupBy.KEY ? "key" : g.name().toLowerCase(Locale.ROOT)).toList(), data);
  }

  void records(HttpServletRequest request, HttpServletResponse response) throws IOException {
    checkParameters(request, Set.of("limit", "after", "format"));
    UsageQuery query = query(request);
    String format = request.getParameter("format");
    if (format != null && !format.equals("json") && !format.equals("csv")) {
      throw new InvalidRequestException("format must be 'json' or 'csv'.", "format", "invalid_value");
    }
    String after = blankToNull(request.getParameter("after"));
    catchUp();
    if ("csv".equals(format)) {
      writeCsv(query, after, response);
      return;
    }
    int limit = limit(request.getParameter("limit"));
    // One more than asked says whether there is a next page.
    List<LedgerRecord> page = ledger.records(query, after, limit + 1);
    boolean hasMore = page.size() > limit;
    List<LedgerRecord> shown = hasMore ? page.subList(0, limit) : page;
    var data = shown.stream().map(AdminJson.RecordView::of).toList();
    byte[] json = Json.mapper().writeValueAsBytes(new AdminJson.RecordList("list", data,
        shown.isEmpty() ? null : shown.get(0).requestId(), shown.isEmpty() ? null : shown.get(shown.size() - 1).requestId(),
        hasMore));
    OpenAiController.writeJson(response, 200, json);
  }

  private void writeCsv(UsageQuery query, @Nullable String after, HttpServletResponse response) throws IOException {
    response.setStatus(200);
    response.setContentType("text/csv");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Content-Disposition", "attachment; filename=\"usage.csv\"");
    Writer out = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
    out.write(CSV_HEADER);
    String cursor = after;
    while (true) {
      List<LedgerRecord> page = ledger.records(query, cursor, MAX_LIMIT);
      for (LedgerRecord record : page) {
        out.write(String.join(",", csv(record.requestId()), csv(record.keyId()), csv(record.owner()),
            csv(record.service()), csv(record.serviceInstanceId()), csv(record.endpoint()),
            csv(record.finishReason() == null ? "" : record.finishReason()), Long.toString(record.promptTokens()),
            Long.toString(record.completionTokens()), Boolean.toString(record.estimated()),
            record.startedAt().toString(), record.endedAt().toString(), AdminJson.decimal(record.cost()),
            csv(record.currency())));
        out.write('\n');
      }
      if (page.size() < MAX_LIMIT) {
        break;
      }
      cursor = page.get(page.size() - 1).requestId();
    }
    out.flush();
  }

  /** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
  static String csv(String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  private void catchUp() {
    try {
      writer.awaitWritten(CATCH_UP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void checkParameters(HttpServletRequest request, Set<String> extra) {
    for (String name : request.getParameterMap().keySet()) {
      if (!FILTERS.contains(name) && !extra.contains(name)) {
        throw new InvalidRequestException("Unknown parameter: '" + name + "'.", name, "unknown_parameter");
      }
    }
  }

  private static UsageQuery query(HttpServletRequest request) {
    Instant from = instant(request, "from");
    Instant to = instant(request, "to");
    if (from != null && to != null && !from.isBefore(to)) {
      throw new InvalidRequestException("'from' must be before 'to'.", "from", "invalid_value");
    }
    return new UsageQuery(from, to, blankToNull(request.getParameter("owner")),
        blankToNull(request.getParameter("key_id")), blankToNull(request.getParameter("service")));
  }

  private static @Nullable Instant instant(HttpServletRequest request, String name) {
    String value = blankToNull(request.getParameter(name));
    if (value == null) {
      return null;
    }
    try {
      return Instant.ofEpochSecond(Long.parseLong(value));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      throw new InvalidRequestException("'" + name + "' must be a Unix time in seconds, got '" + value + "'.", name,
          "invalid_value");
    }
  }

  private static Set<GroupBy> groupBy(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return EnumSet.of(GroupBy.KEY, GroupBy.SERVICE);
    }
    Set<GroupBy> groups = EnumSet.noneOf(GroupBy.class);
    List<String> unknown = new ArrayList<>();
    for (String part : value.split(",")) {
      switch (part.trim()) {
        case "owner" -> groups.add(GroupBy.OWNER);
        case "key" -> groups.add(GroupBy.KEY);
        case "service" -> groups.add(GroupBy.SERVICE);
        default -> unknown.add(part.trim());
      }
    }
    if (!unknown.isEmpty()) {
      throw new InvalidRequestException("group_by takes 'owner', 'key' and 'service', separated by commas; got "
          + unknown + ".", "group_by", "invalid_value");
    }
    return groups;
  }

  private static int limit(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Answered below with the range.
    }
    throw new InvalidRequestException("limit must be between 1 and " + MAX_LIMIT + ", got '" + value + "'.", "limit",
        "invalid_value");
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
