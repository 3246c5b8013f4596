package dev.stevedore.audit.api;

import dev.stevedore.audit.store.Views;
import java.time.Instant;

/** One exported raw event as an NDJSON line or a CSV row (pure functions). */
public final class ExportFormat {
  public static final String CSV_HEADER = "seq,event_id,type,time,deployment_id,host,service,environment,hash\n";

  private ExportFormat() {}

  /** {@code {"seq":..,"hash":"..","event":<the stored canonical CloudEvent>}}. */
  public static String ndjson(Views.RawEvent r) {
    return "{\"seq\":" + r.seq() + ",\"hash\":\"" + r.hash() + "\",\"event\":" + r.payload() + "}\n";
  }

  public static String csv(Views.RawEvent r) {
    return r.seq() + "," + field(r.eventId()) + "," + field(r.type()) + "," + Instant.ofEpochMilli(r.time()) + ","
        + field(r.deploymentId()) + "," + field(r.host()) + "," + field(r.service()) + "," + field(r.environment())
        + "," + r.hash() + "\n";
  }

  /**
   * RFC 4180 quoting; a value a spreadsheet would run as a formula (leading = + - @ tab CR) gets
   * a leading apostrophe.
   */
  static String field(String value) {
    if (value == null) {
      return "";
    }
    String v = value;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
