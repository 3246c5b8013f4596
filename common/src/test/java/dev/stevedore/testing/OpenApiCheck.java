package dev.stevedore.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stevedore.common.runtime.OpenApiRoute;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's OpenAPI 3.1 description, loaded from its jar as the service serves it, and checks
 * of real HTTP exchanges against it with Vert.x's OpenAPI validator ({@code vertx-openapi}).
 *
 * <p>vertx-openapi 5.0 knows only a few media types (JSON, text/plain, multipart, octet-stream)
 * and refuses a contract that names others. The document names what the services really send
 * ({@code application/problem+json}, {@code application/yaml}, CSV, NDJSON, Prometheus text), so
 * the validator is given a copy in which every {@code +json} type reads as
 * {@code application/json} and every other one as {@code text/plain}; this class checks the real
 * content type against the document's own names itself. Bodies that are not JSON (YAML, CSV,
 * NDJSON, Prometheus text, GitHub's form) are checked by content type only.
 */
public final class OpenApiCheck {
  private static final ObjectMapper YAML = new YAMLMapper();
  /** How {@link #check} starts its answer for an exchange no operation describes. */
  public static final String NO_OPERATION = "no operation in the document: ";
  private static final Pattern TEMPLATE = Pattern.compile("\\{([^}/]+)}");

  private final JsonObject document;
  private final OpenAPIContract contract;
  private final RequestValidator requests;
  private final ResponseValidator responses;
  private final Map<String, Pattern> operationPaths = new LinkedHashMap<>();
  private final Map<String, List<String>> operationParams = new HashMap<>();

  private OpenApiCheck(Vertx vertx, JsonObject document) throws Exception {
    this.document = document;
    this.contract = OpenAPIContract.from(vertx, forValidator(document.copy())).await(30, TimeUnit.SECONDS);
    if (contract.getVersion() != OpenAPIVersion.V3_1) {
      throw new AssertionError("not an OpenAPI 3.1 document: " + contract.getVersion());
    }
    this.requests = RequestValidator.create(vertx, contract);
    this.responses = ResponseValidator.create(vertx, contract);
    for (Operation op : contract.operations()) {
      String template = op.getOpenAPIPath();
      List<String> names = new ArrayList<>();
      Matcher m = TEMPLATE.matcher(template);
      StringBuilder regex = new StringBuilder();
      int at = 0;
      while (m.find()) {
        regex.append(Pattern.quote(template.substring(at, m.start()))).append("([^/]+)");
        names.add(m.group(1));
        at = m.end();
      }
      regex.append(Pattern.quote(template.substring(at)));
      operationPaths.put(op.getOperationId(), Pattern.compile(regex.toString()));
      operationParams.put(op.getOperationId(), names);
    }
  }

  /** The classpath resource a service serves at {@link OpenApiRoute#PATH}, checked as a contract. */
  public static OpenApiCheck load(Vertx vertx, String resource) throws Exception {
    Buffer yaml = OpenApiRoute.read(resource);
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = YAML.readValue(yaml.getBytes(), Map.class);
    return new OpenApiCheck(vertx, new JsonObject(tree));
  }

  public JsonObject document() {
    return document;
  }

  /** Every operation of the document as {@code METHOD /path/{param}}. */
  public Set<String> operations() {
    Set<String> out = new TreeSet<>();
    document.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).fieldNames().forEach(method -> {
      if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
        out.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey());
      }
    }));
    return out;
  }

  /**
   * Every route of {@code router} that answers a request as {@code METHOD /path/{param}}: routes
   * with a method and a path ({@code :name} read as {@code {name}}); handlers for every method or a
   * whole prefix ({@code /api/*}: authentication, metrics) and regex routes are not operations.
   */
  public static Set<String> routes(Router router) {
    Set<String> out = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      // getName() is the path as mounted (getPath() is null once it has :parameters); a regex route
      // (getWithRegex) is named by its pattern.
      String mounted = route.getName();
      if (route.methods() == null || route.methods().isEmpty() || mounted == null || !mounted.startsWith("/")
          || mounted.endsWith("*")) {
        continue;
      }
      String path = mounted.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      for (HttpMethod method : route.methods()) {
        out.add(method.name() + " " + path);
      }
    }
    return out;
  }

  /**
   * Checks one real exchange: the request (path, query and header parameters, body) when
   * {@code validateRequest}, and always the answer (status, content type, body). Returns what is
   * wrong, empty when it all matches; {@link #NO_OPERATION} first when the document has no
   * operation for the method and path.
   */
  public List<String> check(String method, String pathAndQuery, Map<String, String> requestHeaders, String requestBody,
      boolean validateRequest, int status, String responseContentType, String responseBody) {
    List<String> wrong = new ArrayList<>();
    URI uri = URI.create(pathAndQuery);
    String path = uri.getRawPath();
    String what = method + " " + pathAndQuery + " -> " + status;
    Operation op = null;
    Map<String, String> pathParams = new HashMap<>();
    for (Operation candidate : contract.operations()) {
      Matcher m = operationPaths.get(candidate.getOperationId()).matcher(path);
      if (candidate.getHttpMethod().name().equals(method) && m.matches()) {
        op = candidate;
        List<String> names = operationParams.get(candidate.getOperationId());
        for (int i = 0; i < names.size(); i++) {
          pathParams.put(names.get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
        }
        break;
      }
    }
    if (op == null) {
      wrong.add(NO_OPERATION + what);
      return wrong;
    }
    String requestType = requestHeaders.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-type"))
        .map(e -> e.getValue().split(";")[0].trim().toLowerCase(Locale.ROOT)).findFirst().orElse(null);
    if (requestType != null && requestBody != null && !forValidator(requestType).equals("application/json")) {
      // A body vertx-openapi cannot read (GitHub's form): its content type must be documented.
      JsonObject body = operationJson(op).getJsonObject("requestBody");
      body = body == null ? null : resolve(body);
      if (validateRequest && (body == null || !body.getJsonObject("content", new JsonObject()).containsKey(requestType))) {
        wrong.add(what + ": request content type " + requestType + " not documented");
      }
      validateRequest = false;
    }
    if (validateRequest) {
      try {
        requests.validate(request(op, uri, pathParams, requestHeaders, requestBody), op.getOperationId())
            .await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        wrong.add(what + ": request does not match " + op.getOperationId() + ": " + e.getMessage());
      }
    }
    String mediaType = responseContentType == null ? null
        : responseContentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    JsonObject documented = documentedResponse(op, status);
    if (documented == null) {
      wrong.add(what + ": status not documented for " + op.getOperationId());
    } else {
      JsonObject content = documented.getJsonObject("content");
      if (content != null && (mediaType == null || !content.containsKey(mediaType))) {
        wrong.add(what + ": content type " + mediaType + " not documented (" + content.fieldNames() + ")");
      }
      if (content == null && responseBody != null && !responseBody.isEmpty()) {
        wrong.add(what + ": a body where the document says none");
      }
      if (content != null && mediaType != null && content.containsKey(mediaType)
          && forValidator(mediaType).equals("application/json")) {
        try {
          Map<String, String> headers = new HashMap<>();
          headers.put("content-type", forValidator(mediaType));
          responses.validate(ValidatableResponse.create(status, headers, Buffer.buffer(responseBody == null ? ""
              : responseBody), forValidator(mediaType)), op.getOperationId()).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          wrong.add(what + ": answer does not match " + op.getOperationId() + ": " + e.getMessage()
              + " (body " + abbreviate(responseBody) + ")");
        }
      }
    }
    return wrong;
  }

  private JsonObject operationJson(Operation op) {
    return document.getJsonObject("paths").getJsonObject(op.getOpenAPIPath())
        .getJsonObject(op.getHttpMethod().name().toLowerCase(Locale.ROOT));
  }

  private JsonObject documentedResponse(Operation op, int status) {
    JsonObject all = operationJson(op).getJsonObject("responses");
    Object found = all.getValue(String.valueOf(status));
    if (found == null) {
      found = all.getValue(status / 100 + "XX");
    }
    if (found == null) {
      found = all.getValue("default");
    }
    return found == null ? null : resolve((JsonObject) found);
  }

  private JsonObject resolve(JsonObject maybeRef) {
    String ref = maybeRef.getString("$ref");
    if (ref == null) {
      return maybeRef;
    }
    JsonObject at = document;
    for (String part : ref.substring(2).split("/")) {
      at = at.getJsonObject(part);
    }
    return resolve(at);
  }

  /**
   * The request as vertx-openapi reads one. Its parameter transformer decodes a string value that
   * is not a bare word as JSON, and so cannot read one with a {@code "} in it; string parameters
   * are therefore handed over JSON-quoted, which it decodes back to the value as sent.
   */
  private static ValidatableRequestImpl request(Operation op, URI uri, Map<String, String> pathParams,
      Map<String, String> headers, String body) {
    Set<String> strings = new java.util.HashSet<>();
    op.getParameters().forEach(p -> {
      if (p.getSchemaType() == io.vertx.json.schema.common.dsl.SchemaType.STRING) {
        strings.add(p.getIn().name() + ":" + p.getName().toLowerCase(Locale.ROOT));
      }
    });
    java.util.function.BiFunction<String, Map.Entry<String, String>, RequestParameter> param = (in, e) ->
        new RequestParameterImpl(strings.contains(in + ":" + e.getKey().toLowerCase(Locale.ROOT))
            ? io.vertx.core.json.Json.encode(e.getValue()) : e.getValue());
    Map<String, RequestParameter> path = new HashMap<>();
    pathParams.entrySet().forEach(e -> path.put(e.getKey(), param.apply("PATH", e)));
    Map<String, RequestParameter> query = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        query.put(key, param.apply("QUERY", Map.entry(key, value)));
      }
    }
    Map<String, RequestParameter> header = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.entrySet().forEach(e -> header.put(e.getKey(), param.apply("HEADER", e)));
    String contentType = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("content-type"))
        .map(Map.Entry::getValue).findFirst().orElse(null);
    boolean json = contentType != null
        && forValidator(contentType.split(";")[0].trim().toLowerCase(Locale.ROOT)).equals("application/json");
    RequestParameter content = body == null ? new RequestParameterImpl(null)
        : new RequestParameterImpl(json ? Buffer.buffer(body) : body);
    return new ValidatableRequestImpl(new HashMap<>(), header, path, query, content,
        contentType == null ? null : forValidator(contentType.split(";")[0].trim().toLowerCase(Locale.ROOT)));
  }

  /** The document with the media types vertx-openapi 5.0 does not know renamed (see the class comment). */
  private static JsonObject forValidator(JsonObject node) {
    for (String key : List.copyOf(node.fieldNames())) {
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        if (key.equals("content")) {
          JsonObject renamed = new JsonObject();
          child.forEach(e -> {
            JsonObject media = forValidator((JsonObject) e.getValue());
            if (!forValidator(e.getKey()).equals("application/json")) {
              // Not JSON: vertx-openapi cannot apply a schema to it; the content type is checked here.
              media.put("schema", new JsonObject().put("description", "not checked by the validator"));
            }
            renamed.put(forValidator(e.getKey()), media);
          });
          node.put(key, renamed);
        } else {
          forValidator(child);
        }
      } else if (value instanceof io.vertx.core.json.JsonArray array) {
        array.forEach(item -> {
          if (item instanceof JsonObject o) {
            forValidator(o);
          }
        });
      }
    }
    return node;
  }

  private static String forValidator(String mediaType) {
    if (mediaType.equals("application/json") || mediaType.equals("multipart/form-data")
        || mediaType.equals("text/plain")) {
      return mediaType;
    }
    return mediaType.endsWith("+json") ? "application/json" : "text/plain";
  }

  private static String abbreviate(String body) {
    return body == null ? "null" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
  }
}
