/*
 * gossip_json: the cluster document to and from JSON.
 *
 * Decoding goes in two passes. A bounded lexical pre-scan over the raw
 * bytes refuses what cJSON would accept but we must not: NUL bytes, raw
 * control characters and \u0000 in strings, nesting deeper than a gossip
 * document needs, and any number that is not an exact integer literal
 * within +-2^53 (cJSON holds numbers as doubles, so after this scan every
 * number it gives us is exact). cJSON then builds the tree, and each field
 * is checked for presence, type and range. Encoding is written by hand
 * into a growing buffer: fields in SPEC order, integers as integer text.
 */
#include "gossip_json.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH     16
#define INT_LIMIT     9007199254740992.0 /* 2^53 */
#define INT_LIMIT_TXT "9007199254740992"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Checks one number token [p, p+n): an optional '-', then digits only,
 * no leading zero (JSON), magnitude at most 2^53. */
static int
scan_number(const char *p, size_t n, char *err, size_t errlen)
{
	size_t i = 0, nd;

	if (i < n && p[i] == '-')
		i++;
	nd = n - i;
	if (nd == 0) {
		seterr(err, errlen, "malformed number");
		return -1;
	}
	for (size_t k = i; k < n; k++) {
		if (p[k] < '0' || p[k] > '9') {
			seterr(err, errlen,
			       "a number is not an exact integer (fraction or "
			       "exponent)");
			return -1;
		}
	}
	if (nd > 1 && p[i] == '0') {
		seterr(err, errlen, "malformed number (leading zero)");
		return -1;
	}
	if (nd > 16 || (nd == 16 && memcmp(p + i, INT_LIMIT_TXT, 16) > 0)) {
		seterr(err, errlen,
		       "a number is out of the exact integer range (|n| > "
		       "2^53)");
		return -1;
	}
	return 0;
}

static int
prescan(const char *buf, size_t len, char *err, size_t errlen)
{
	int depth = 0;
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '"') {
			for (i++;; i++) {
				if (i >= len) {
					seterr(err, errlen,
					       "unterminated string");
					return -1;
				}
				c = (unsigned char)buf[i];
				if (c == '"')
					break;
				if (c < 0x20) {
					seterr(err, errlen,
					       "control character in a string");
					return -1;
				}
				if (c == '\\') {
					if (i + 1 >= len) {
						seterr(err, errlen,
						       "unterminated string");
						return -1;
					}
					if (buf[i + 1] == 'u' && i + 5 < len &&
					    memcmp(buf + i + 2, "0000", 4) ==
						0) {
						seterr(
						    err, errlen,
						    "NUL escape in a string");
						return -1;
					}
					i++;
				}
			}
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t s = i;

			while (i < len && (buf[i] == '-' || buf[i] == '+' ||
					   buf[i] == '.' || buf[i] == 'e' ||
					   buf[i] == 'E' ||
					   (buf[i] >= '0' && buf[i] <= '9')))
				i++;
			if (scan_number(buf + s, i - s, err, errlen) < 0)
				return -1;
		} else if (c == '{' || c == '[') {
			if (++depth > MAX_DEPTH) {
				seterr(err, errlen, "nesting deeper than %d",
				       MAX_DEPTH);
				return -1;
			}
			i++;
		} else if (c == '}' || c == ']') {
			depth--;
			i++;
		} else if (c == 0) {
			seterr(err, errlen, "NUL byte in the document");
			return -1;
		} else {
			i++;
		}
	}
	return 0;
}

/* Parses buf after the pre-scan; trailing bytes other than white space
 * are an error. */
static cJSON *
parse_tree(const char *buf, size_t len, size_t max_bytes, char *err,
	   size_t errlen)
{
	const char *end = NULL;
	cJSON *root;

	if (len > max_bytes) {
		seterr(err, errlen,
		       "document of %zu bytes exceeds the limit of "
		       "%zu bytes",
		       len, max_bytes);
		return NULL;
	}
	if (len == 0) {
		seterr(err, errlen, "empty document");
		return NULL;
	}
	if (prescan(buf, len, err, errlen) < 0)
		return NULL;
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (root == NULL) {
		seterr(err, errlen, "not valid JSON (at byte %zu)",
		       end != NULL && end >= buf ? (size_t)(end - buf) : 0);
		return NULL;
	}
	for (size_t i = (size_t)(end - buf); i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r') {
			cJSON_Delete(root);
			seterr(err, errlen,
			       "trailing bytes after the JSON value");
			return NULL;
		}
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		seterr(err, errlen, "the document is not a JSON object");
		return NULL;
	}
	return root;
}

/* Where a field error happened: "member 2: " or "". */
struct ctx {
	char where[32];
	char *err;
	size_t errlen;
};

static const cJSON *
field(struct ctx *x, const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (it == NULL || cJSON_IsNull(it))
		seterr(x->err, x->errlen, "%sfield \"%s\" is missing or null",
		       x->where, name);
	return it != NULL && !cJSON_IsNull(it) ? it : NULL;
}

static int
get_int(struct ctx *x, const cJSON *obj, const char *name, int64_t min,
	int64_t max, int64_t *out)
{
	const cJSON *it = field(x, obj, name);
	double d;

	if (it == NULL)
		return -1;
	if (!cJSON_IsNumber(it)) {
		seterr(x->err, x->errlen, "%sfield \"%s\" is not a number",
		       x->where, name);
		return -1;
	}
	d = it->valuedouble;
	/* The pre-scan made every number an exact integer within 2^53. */
	if (!(d >= -INT_LIMIT && d <= INT_LIMIT) || d < (double)min ||
	    d > (double)max) {
		seterr(x->err, x->errlen,
		       "%sfield \"%s\" is out of range (%" PRId64 "..%" PRId64
		       ")",
		       x->where, name, min, max);
		return -1;
	}
	*out = (int64_t)d;
	return 0;
}

static int
get_port(struct ctx *x, const cJSON *obj, const char *name, int *out)
{
	int64_t v;

	if (get_int(x, obj, name, 0, 65535, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int
get_pos(struct ctx *x, const cJSON *obj, const char *name, int64_t *out)
{
	return get_int(x, obj, name, -(INT64_C(1) << 53), INT64_C(1) << 53,
		       out);
}

static int
get_bool(struct ctx *x, const cJSON *obj, const char *name, bool *out)
{
	const cJSON *it = field(x, obj, name);

	if (it == NULL)
		return -1;
	if (!cJSON_IsBool(it)) {
		seterr(x->err, x->errlen, "%sfield \"%s\" is not a boolean",
		       x->where, name);
		return -1;
	}
	*out = cJSON_IsTrue(it);
	return 0;
}

static const char *
get_str(struct ctx *x, const cJSON *obj, const char *name)
{
	const cJSON *it = field(x, obj, name);

	if (it == NULL)
		return NULL;
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		seterr(x->err, x->errlen, "%sfield \"%s\" is not a string",
		       x->where, name);
		return NULL;
	}
	return it->valuestring;
}

/*
 * A host name or address: printable ASCII without space, quote or
 * backslash, shorter than MEMBER_HOST_MAX; empty only when allow_empty.
 */
static int
get_host(struct ctx *x, const cJSON *obj, const char *name, bool allow_empty,
	 char out[MEMBER_HOST_MAX])
{
	const char *s = get_str(x, obj, name);
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n >= MEMBER_HOST_MAX) {
		seterr(x->err, x->errlen,
		       "%sfield \"%s\" is longer than %d bytes", x->where, name,
		       MEMBER_HOST_MAX - 1);
		return -1;
	}
	if (n == 0 && !allow_empty) {
		seterr(x->err, x->errlen, "%sfield \"%s\" is empty", x->where,
		       name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			seterr(
			    x->err, x->errlen,
			    "%sfield \"%s\" has a character not allowed in a "
			    "host",
			    x->where, name);
			return -1;
		}
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int
get_guid(struct ctx *x, const cJSON *obj, const char *name, struct guid *out)
{
	const char *s = get_str(x, obj, name);

	if (s == NULL)
		return -1;
	if (guid_parse(s, out) < 0) {
		seterr(x->err, x->errlen, "%sfield \"%s\" is not a GUID",
		       x->where, name);
		return -1;
	}
	return 0;
}

static int
get_state(struct ctx *x, const cJSON *obj, const char *name,
	  enum member_state *out)
{
	const char *s = get_str(x, obj, name);

	if (s == NULL)
		return -1;
	if (member_state_parse(s, out) < 0) {
		seterr(x->err, x->errlen, "%sfield \"%s\" is not a known state",
		       x->where, name);
		return -1;
	}
	return 0;
}

static int
decode_member(struct ctx *x, const cJSON *o, struct member *m)
{
	const char *s;
	int64_t prio;

	memset(m, 0, sizeof(*m));
	if (!cJSON_IsObject(o)) {
		seterr(x->err, x->errlen, "%snot a JSON object", x->where);
		return -1;
	}
	if (get_guid(x, o, "instanceId", &m->instance_id) < 0)
		return -1;
	if ((s = get_str(x, o, "timeStamp")) == NULL)
		return -1;
	if (ticks_parse(s, &m->timestamp) < 0) {
		seterr(x->err, x->errlen,
		       "%sfield \"timeStamp\" is not an ISO-8601 UTC time",
		       x->where);
		return -1;
	}
	if (get_state(x, o, "state", &m->state) < 0 ||
	    get_bool(x, o, "isAlive", &m->is_alive) < 0 ||
	    get_host(x, o, "internalTcpIp", true, m->internal_tcp_ip) < 0 ||
	    get_port(x, o, "internalTcpPort", &m->internal_tcp_port) < 0 ||
	    get_port(x, o, "internalSecureTcpPort",
		     &m->internal_secure_tcp_port) < 0 ||
	    get_host(x, o, "externalTcpIp", true, m->external_tcp_ip) < 0 ||
	    get_port(x, o, "externalTcpPort", &m->external_tcp_port) < 0 ||
	    get_port(x, o, "externalSecureTcpPort",
		     &m->external_secure_tcp_port) < 0 ||
	    get_host(x, o, "internalHttpEndPointIp", true,
		     m->internal_http_ip) < 0 ||
	    get_port(x, o, "internalHttpEndPointPort", &m->internal_http_port) <
		0 ||
	    get_host(x, o, "httpEndPointIp", false, m->http_ip) < 0 ||
	    get_port(x, o, "httpEndPointPort", &m->http_port) < 0 ||
	    get_pos(x, o, "lastCommitPosition", &m->last_commit_position) < 0 ||
	    get_pos(x, o, "writerCheckpoint", &m->writer_checkpoint) < 0 ||
	    get_pos(x, o, "chaserCheckpoint", &m->chaser_checkpoint) < 0 ||
	    get_pos(x, o, "epochPosition", &m->epoch_position) < 0 ||
	    get_pos(x, o, "epochNumber", &m->epoch_number) < 0 ||
	    get_guid(x, o, "epochId", &m->epoch_id) < 0 ||
	    get_int(x, o, "nodePriority", INT32_MIN, INT32_MAX, &prio) < 0 ||
	    get_bool(x, o, "isReadOnlyReplica", &m->is_read_only_replica) < 0)
		return -1;
	m->node_priority = prio;
	if ((s = get_str(x, o, "esVersion")) == NULL)
		return -1;
	if (strlen(s) >= MEMBER_VERSION_MAX) {
		seterr(x->err, x->errlen,
		       "%sfield \"esVersion\" is longer than %d bytes",
		       x->where, MEMBER_VERSION_MAX - 1);
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			seterr(x->err, x->errlen,
			       "%sfield \"esVersion\" is not printable ASCII",
			       x->where);
			return -1;
		}
	}
	memcpy(m->es_version, s, strlen(s) + 1);
	return 0;
}

int
gossip_json_decode(const char *buf, size_t len, size_t max_bytes,
		   size_t max_members, struct cluster_doc *out, char *err,
		   size_t errlen)
{
	struct ctx x = {.where = "", .err = err, .errlen = errlen};
	struct cluster_doc doc = {0};
	const cJSON *members, *it;
	cJSON *root = NULL;
	int64_t port;
	int rc = -1;
	size_t n, i;

	memset(out, 0, sizeof(*out));
	if (buf == NULL) {
		seterr(err, errlen, "empty document");
		return -1;
	}
	root = parse_tree(buf, len, max_bytes, err, errlen);
	if (root == NULL)
		goto out;
	members = field(&x, root, "members");
	if (members == NULL)
		goto out;
	if (!cJSON_IsArray(members)) {
		seterr(err, errlen, "field \"members\" is not an array");
		goto out;
	}
	n = (size_t)cJSON_GetArraySize(members);
	if (n > max_members) {
		seterr(err, errlen, "%zu members exceed the limit of %zu", n,
		       max_members);
		goto out;
	}
	if (get_host(&x, root, "serverIp", false, doc.server_ip) < 0 ||
	    get_int(&x, root, "serverPort", 0, 65535, &port) < 0)
		goto out;
	doc.server_port = (int)port;
	doc.members = calloc(n > 0 ? n : 1, sizeof(*doc.members));
	if (doc.members == NULL) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	i = 0;
	cJSON_ArrayForEach(it, members)
	{
		snprintf(x.where, sizeof(x.where), "member %zu: ", i);
		if (decode_member(&x, it, &doc.members[i]) < 0)
			goto out;
		i++;
	}
	doc.n = i;
	*out = doc;
	doc.members = NULL;
	rc = 0;
out:
	free(doc.members);
	cJSON_Delete(root);
	return rc;
}

void
cluster_doc_free(struct cluster_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->members);
	doc->members = NULL;
	doc->n = 0;
}

/* A growing output buffer; an allocation failure sticks. */
struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
sb_grow(struct sb *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom || b->len + need + 1 <= b->cap)
		return;
	cap = b->cap > 0 ? b->cap : 1024;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_lit(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* A JSON string with escapes for quote, backslash and control bytes. */
static void
sb_str(struct sb *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	sb_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			sb_add(b, esc, 2);
		} else if (c < 0x20) {
			sb_add(b, esc, 6);
		} else {
			sb_add(b, s, 1);
		}
	}
	sb_add(b, "\"", 1);
}

static void
sb_int(struct sb *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	sb_add(b, tmp, (size_t)n);
}

static void
sb_key_str(struct sb *b, const char *key, const char *val)
{
	sb_lit(b, key);
	sb_str(b, val);
}

static void
sb_key_int(struct sb *b, const char *key, int64_t v)
{
	sb_lit(b, key);
	sb_int(b, v);
}

static void
encode_member(struct sb *b, const struct member *m)
{
	const char *state = member_state_name(m->state);
	char guid[37], ts[40];

	guid_format(&m->instance_id, guid);
	ticks_format(m->timestamp, ts);
	sb_key_str(b, "{\"instanceId\":", guid);
	sb_key_str(b, ",\"timeStamp\":", ts);
	sb_key_str(b, ",\"state\":", state != NULL ? state : "Unknown");
	sb_lit(b, m->is_alive ? ",\"isAlive\":true" : ",\"isAlive\":false");
	sb_key_str(b, ",\"internalTcpIp\":", m->internal_tcp_ip);
	sb_key_int(b, ",\"internalTcpPort\":", m->internal_tcp_port);
	sb_key_int(b,
		   ",\"internalSecureTcpPort\":", m->internal_secure_tcp_port);
	sb_key_str(b, ",\"externalTcpIp\":", m->external_tcp_ip);
	sb_key_int(b, ",\"externalTcpPort\":", m->external_tcp_port);
	sb_key_int(b,
		   ",\"externalSecureTcpPort\":", m->external_secure_tcp_port);
	sb_key_str(b, ",\"internalHttpEndPointIp\":", m->internal_http_ip);
	sb_key_int(b, ",\"internalHttpEndPointPort\":", m->internal_http_port);
	sb_key_str(b, ",\"httpEndPointIp\":", m->http_ip);
	sb_key_int(b, ",\"httpEndPointPort\":", m->http_port);
	sb_key_int(b, ",\"lastCommitPosition\":", m->last_commit_position);
	sb_key_int(b, ",\"writerCheckpoint\":", m->writer_checkpoint);
	sb_key_int(b, ",\"chaserCheckpoint\":", m->chaser_checkpoint);
	sb_key_int(b, ",\"epochPosition\":", m->epoch_position);
	sb_key_int(b, ",\"epochNumber\":", m->epoch_number);
	guid_format(&m->epoch_id, guid);
	sb_key_str(b, ",\"epochId\":", guid);
	sb_key_int(b, ",\"nodePriority\":", m->node_priority);
	sb_lit(b, m->is_read_only_replica ? ",\"isReadOnlyReplica\":true"
					  : ",\"isReadOnlyReplica\":false");
	sb_key_str(b, ",\"esVersion\":", m->es_version);
	sb_lit(b, "}");
}

static char *
sb_finish(struct sb *b, size_t *len)
{
	if (b->oom || b->p == NULL) {
		free(b->p);
		return NULL;
	}
	if (len != NULL)
		*len = b->len;
	return b->p;
}

char *
gossip_json_encode(const struct cluster_doc *doc, size_t *len)
{
	struct sb b = {0};

	sb_grow(&b, 64 + doc->n * 900);
	sb_lit(&b, "{\"members\":[");
	for (size_t i = 0; i < doc->n; i++) {
		if (i > 0)
			sb_lit(&b, ",");
		encode_member(&b, &doc->members[i]);
	}
	sb_key_str(&b, "],\"serverIp\":", doc->server_ip);
	sb_key_int(&b, ",\"serverPort\":", doc->server_port);
	sb_lit(&b, "}");
	return sb_finish(&b, len);
}

char *
gossip_json_encode_member(const struct member *m, size_t *len)
{
	struct sb b = {0};

	encode_member(&b, m);
	return sb_finish(&b, len);
}

int
gossip_json_decode_member_update(const char *buf, size_t len, size_t max_bytes,
				 struct member_update *out, char *err,
				 size_t errlen)
{
	static const char *const known[] = {
	    "state",
	    "writerCheckpoint",
	    "chaserCheckpoint",
	    "lastCommitPosition",
	    "epochPosition",
	    "epochNumber",
	    "epochId",
	    "nodePriority",
	    "isReadOnlyReplica",
	};
	struct ctx x = {.where = "", .err = err, .errlen = errlen};
	struct member_update u = {0};
	const cJSON *it;
	cJSON *root;
	int64_t prio;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (buf == NULL) {
		seterr(err, errlen, "empty document");
		return -1;
	}
	root = parse_tree(buf, len, max_bytes, err, errlen);
	if (root == NULL)
		return -1;
	cJSON_ArrayForEach(it, root)
	{
		size_t k;

		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (it->string != NULL &&
			    strcmp(it->string, known[k]) == 0)
				break;
		if (k == sizeof(known) / sizeof(known[0])) {
			seterr(
			    err, errlen,
			    "unknown field (allowed: state, writerCheckpoint, "
			    "chaserCheckpoint, lastCommitPosition, "
			    "epochPosition, epochNumber, epochId, "
			    "nodePriority, isReadOnlyReplica)");
			goto out;
		}
	}
#define HAS(name) (cJSON_GetObjectItemCaseSensitive(root, name) != NULL)
	if (HAS("state")) {
		if (get_state(&x, root, "state", &u.state) < 0)
			goto out;
		u.fields |= MU_STATE;
	}
	if (HAS("writerCheckpoint")) {
		if (get_pos(&x, root, "writerCheckpoint",
			    &u.writer_checkpoint) < 0)
			goto out;
		u.fields |= MU_WRITER_CHECKPOINT;
	}
	if (HAS("chaserCheckpoint")) {
		if (get_pos(&x, root, "chaserCheckpoint",
			    &u.chaser_checkpoint) < 0)
			goto out;
		u.fields |= MU_CHASER_CHECKPOINT;
	}
	if (HAS("lastCommitPosition")) {
		if (get_pos(&x, root, "lastCommitPosition",
			    &u.last_commit_position) < 0)
			goto out;
		u.fields |= MU_LAST_COMMIT_POSITION;
	}
	if (HAS("epochPosition")) {
		if (get_pos(&x, root, "epochPosition", &u.epoch_position) < 0)
			goto out;
		u.fields |= MU_EPOCH_POSITION;
	}
	if (HAS("epochNumber")) {
		if (get_pos(&x, root, "epochNumber", &u.epoch_number) < 0)
			goto out;
		u.fields |= MU_EPOCH_NUMBER;
	}
	if (HAS("epochId")) {
		if (get_guid(&x, root, "epochId", &u.epoch_id) < 0)
			goto out;
		u.fields |= MU_EPOCH_ID;
	}
	if (HAS("nodePriority")) {
		if (get_int(&x, root, "nodePriority", INT32_MIN, INT32_MAX,
			    &prio) < 0)
			goto out;
		u.node_priority = prio;
		u.fields |= MU_NODE_PRIORITY;
	}
	if (HAS("isReadOnlyReplica")) {
		if (get_bool(&x, root, "isReadOnlyReplica",
			     &u.is_read_only_replica) < 0)
			goto out;
		u.fields |= MU_IS_READ_ONLY_REPLICA;
	}
#undef HAS
	*out = u;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}
