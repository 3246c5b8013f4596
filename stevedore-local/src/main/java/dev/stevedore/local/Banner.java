package dev.stevedore.local;

/** What the launcher prints once everything runs: URLs and ready-to-paste commands. */
record Banner(LocalConfig config, Demo demo, int triggerPort, int triggerOpsPort, int auditPort, LocalSecrets secrets) {

  String webhookUrl() {
    return "http://127.0.0.1:" + triggerPort + "/hooks/generic/" + secrets.webhookToken();
  }

  String deployBody(String version) {
    return "{\"service\":\"demo\",\"environment\":\"" + config.environment() + "\",\"version\":\"" + version + "\"}";
  }

  /** The curl line that deploys {@code version} through the generic webhook. */
  String deployCurl(String version) {
    return "curl -sS -X POST -H 'Content-Type: application/json' -d '" + deployBody(version) + "' " + webhookUrl();
  }

  String auditCurl() {
    return "curl -sS -H 'Authorization: Bearer " + secrets.readerToken() + "' 'http://127.0.0.1:" + auditPort
        + "/api/v1/deployments?service=demo'";
  }

  String text() {
    String kafka = config.kafka().embedded()
        ? "127.0.0.1:" + config.kafka().port() + " (embedded, data in " + config.dataDir() + "/kafka)"
        : config.kafka().bootstrapServers();
    return String.join("\n",
        "",
        "Stevedore is running on this machine (demo driver: " + demo.mode() + ").",
        "  trigger service  http://127.0.0.1:" + triggerPort + "   (webhooks, /api/v1)",
        "  trigger ops      http://127.0.0.1:" + triggerOpsPort + "   (/health/ready, /metrics)",
        "  audit service    http://127.0.0.1:" + auditPort + "   (/api/v1/deployments, bearer token below)",
        "  kafka            " + kafka,
        "  demo service     " + demo.versionUrl() + "   (answers with the running version)",
        "",
        "Webhook URL (the lecture's secret URL):",
        "  " + webhookUrl(),
        "",
        "Deploy the next version:",
        "  " + deployCurl(config.demo().nextVersion()),
        "",
        "Watch the demo and the audit log:",
        "  curl -sS " + demo.versionUrl(),
        "  " + auditCurl(),
        "",
        "Ctrl-C stops everything.",
        "");
  }
}
