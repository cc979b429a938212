/*
 * gossip_json: the cluster document to and from JSON.
 *
 * Decoding goes in two passes. A bounded lexical pre-scan over the raw
 * bytes refuses what cJSON would accept but we must not: NUL bytes, raw
 * control characters and \u0000 in strings, nesting deeper than a gossip
 * document needs, and any number that is not an exact integer literal
 * within +-2^53 (cJSON holds numbers as doubles, so after this scan every
 * number it gives us is exact). cJSON then builds the tree, and each field
 * is checked for presence, type and range. The encoder is in
 * gossip_json_encode.c.
 */
#include "gossip_json.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"

#define MAX_DEPTH     16
#define INT_LIMIT     9007199254740992.0 /* 2^53 */
#define INT_LIMIT_TXT "9007199254740992"

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
		errbuf_set(err, errlen, "malformed number");
		return -1;
	}
	for (size_t k = i; k < n; k++) {
		if (p[k] < '0' || p[k] > '9') {
			errbuf_set(
			    err, errlen,
			    "a number is not an exact integer (fraction or "
			    "exponent)");
			return -1;
		}
	}
	if (nd > 1 && p[i] == '0') {
		errbuf_set(err, errlen, "malformed number (leading zero)");
		return -1;
	}
	if (nd > 16 || (nd == 16 && memcmp(p + i, INT_LIMIT_TXT, 16) > 0)) {
		errbuf_set(err, errlen,
			   "a number is out of the exact integer range (|n| > "
			   "2^53)");
		return -1;
	}
	return 0;
}

/*
 * Skips the string that starts at buf[*i] (a quote), refusing raw
 * control bytes and \u0000. Leaves *i after the closing quote.
 */
static int
scan_string(const char *buf, size_t len, size_t *i, char *err, size_t errlen)
{
	size_t k;

	for (k = *i + 1; k < len; k++) {
		unsigned char c = (unsigned char)buf[k];

		if (c == '"') {
			*i = k + 1;
			return 0;
		}
		if (c < 0x20) {
			errbuf_set(err, errlen,
				   "control character in a string");
			return -1;
		}
		if (c != '\\')
			continue;
		if (k + 1 >= len)
			break;
		if (buf[k + 1] == 'u' && k + 5 < len &&
		    memcmp(buf + k + 2, "0000", 4) == 0) {
			errbuf_set(err, errlen, "NUL escape in a string");
			return -1;
		}
		k++;
	}
	errbuf_set(err, errlen, "unterminated string");
	return -1;
}

static bool
number_char(char c)
{
	return c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' ||
	       (c >= '0' && c <= '9');
}

static int
prescan(const char *buf, size_t len, char *err, size_t errlen)
{
	int depth = 0;
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '"') {
			if (scan_string(buf, len, &i, err, errlen) < 0)
				return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t s = i;

			while (i < len && number_char(buf[i]))
				i++;
			if (scan_number(buf + s, i - s, err, errlen) < 0)
				return -1;
		} else if (c == '{' || c == '[') {
			if (++depth > MAX_DEPTH) {
				errbuf_set(err, errlen,
					   "nesting deeper than %d", MAX_DEPTH);
				return -1;
			}
			i++;
		} else if (c == 0) {
			errbuf_set(err, errlen, "NUL byte in the document");
			return -1;
		} else {
			if (c == '}' || c == ']')
				depth--;
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
		errbuf_set(err, errlen,
			   "document of %zu bytes exceeds the limit of "
			   "%zu bytes",
			   len, max_bytes);
		return NULL;
	}
	if (len == 0) {
		errbuf_set(err, errlen, "empty document");
		return NULL;
	}
	if (prescan(buf, len, err, errlen) < 0)
		return NULL;
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (root == NULL) {
		errbuf_set(err, errlen, "not valid JSON (at byte %zu)",
			   end != NULL && end >= buf ? (size_t)(end - buf) : 0);
		return NULL;
	}
	for (size_t i = (size_t)(end - buf); i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r') {
			cJSON_Delete(root);
			errbuf_set(err, errlen,
				   "trailing bytes after the JSON value");
			return NULL;
		}
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		errbuf_set(err, errlen, "the document is not a JSON object");
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
		errbuf_set(x->err, x->errlen,
			   "%sfield \"%s\" is missing or null", x->where, name);
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
		errbuf_set(x->err, x->errlen, "%sfield \"%s\" is not a number",
			   x->where, name);
		return -1;
	}
	d = it->valuedouble;
	/* The pre-scan made every number an exact integer within 2^53. */
	if (!(d >= -INT_LIMIT && d <= INT_LIMIT) || d < (double)min ||
	    d > (double)max) {
		errbuf_set(x->err, x->errlen,
			   "%sfield \"%s\" is out of range (%" PRId64
			   "..%" PRId64 ")",
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
		errbuf_set(x->err, x->errlen, "%sfield \"%s\" is not a boolean",
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
		errbuf_set(x->err, x->errlen, "%sfield \"%s\" is not a string",
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
		errbuf_set(x->err, x->errlen,
			   "%sfield \"%s\" is longer than %d bytes", x->where,
			   name, MEMBER_HOST_MAX - 1);
		return -1;
	}
	if (n == 0 && !allow_empty) {
		errbuf_set(x->err, x->errlen, "%sfield \"%s\" is empty",
			   x->where, name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			errbuf_set(
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
		errbuf_set(x->err, x->errlen, "%sfield \"%s\" is not a GUID",
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
		errbuf_set(x->err, x->errlen,
			   "%sfield \"%s\" is not a known state", x->where,
			   name);
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
		errbuf_set(x->err, x->errlen, "%snot a JSON object", x->where);
		return -1;
	}
	if (get_guid(x, o, "instanceId", &m->instance_id) < 0)
		return -1;
	if ((s = get_str(x, o, "timeStamp")) == NULL)
		return -1;
	if (ticks_parse(s, &m->timestamp) < 0) {
		errbuf_set(x->err, x->errlen,
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
	/* optional: KurrentDB's names, absent from older documents */
	if ((cJSON_GetObjectItemCaseSensitive(o, "advertiseHostToClientAs") !=
		 NULL &&
	     get_host(x, o, "advertiseHostToClientAs", true,
		      m->advertise_host_to_client_as) < 0) ||
	    (cJSON_GetObjectItemCaseSensitive(
		 o, "advertiseHttpPortToClientAs") != NULL &&
	     get_port(x, o, "advertiseHttpPortToClientAs",
		      &m->advertise_http_port_to_client_as) < 0) ||
	    (cJSON_GetObjectItemCaseSensitive(
		 o, "advertiseTcpPortToClientAs") != NULL &&
	     get_port(x, o, "advertiseTcpPortToClientAs",
		      &m->advertise_tcp_port_to_client_as) < 0))
		return -1;
	if ((s = get_str(x, o, "esVersion")) == NULL)
		return -1;
	if (strlen(s) >= MEMBER_VERSION_MAX) {
		errbuf_set(x->err, x->errlen,
			   "%sfield \"esVersion\" is longer than %d bytes",
			   x->where, MEMBER_VERSION_MAX - 1);
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			errbuf_set(
			    x->err, x->errlen,
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
		errbuf_set(err, errlen, "empty document");
		return -1;
	}
	root = parse_tree(buf, len, max_bytes, err, errlen);
	if (root == NULL)
		goto out;
	members = field(&x, root, "members");
	if (members == NULL)
		goto out;
	if (!cJSON_IsArray(members)) {
		errbuf_set(err, errlen, "field \"members\" is not an array");
		goto out;
	}
	n = (size_t)cJSON_GetArraySize(members);
	if (n > max_members) {
		errbuf_set(err, errlen, "%zu members exceed the limit of %zu",
			   n, max_members);
		goto out;
	}
	if (get_host(&x, root, "serverIp", false, doc.server_ip) < 0 ||
	    get_int(&x, root, "serverPort", 0, 65535, &port) < 0)
		goto out;
	doc.server_port = (int)port;
	doc.members = calloc(n > 0 ? n : 1, sizeof(*doc.members));
	if (doc.members == NULL) {
		errbuf_set(err, errlen, "out of memory");
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

/* The fields PUT /admin/member may carry, and where each one goes. */
enum upd_kind { UK_STATE, UK_POS, UK_GUID, UK_PRIO, UK_BOOL, UK_HOST, UK_PORT };
static const struct {
	const char *name;
	enum upd_kind kind;
	unsigned flag;
	size_t off;
} upd_fields[] = {
    {"state", UK_STATE, MU_STATE, offsetof(struct member_update, state)},
    {"writerCheckpoint", UK_POS, MU_WRITER_CHECKPOINT,
     offsetof(struct member_update, writer_checkpoint)},
    {"chaserCheckpoint", UK_POS, MU_CHASER_CHECKPOINT,
     offsetof(struct member_update, chaser_checkpoint)},
    {"lastCommitPosition", UK_POS, MU_LAST_COMMIT_POSITION,
     offsetof(struct member_update, last_commit_position)},
    {"epochPosition", UK_POS, MU_EPOCH_POSITION,
     offsetof(struct member_update, epoch_position)},
    {"epochNumber", UK_POS, MU_EPOCH_NUMBER,
     offsetof(struct member_update, epoch_number)},
    {"epochId", UK_GUID, MU_EPOCH_ID, offsetof(struct member_update, epoch_id)},
    {"nodePriority", UK_PRIO, MU_NODE_PRIORITY,
     offsetof(struct member_update, node_priority)},
    {"isReadOnlyReplica", UK_BOOL, MU_IS_READ_ONLY_REPLICA,
     offsetof(struct member_update, is_read_only_replica)},
    {"advertiseHostToClientAs", UK_HOST, MU_ADVERTISE_HOST,
     offsetof(struct member_update, advertise_host_to_client_as)},
    {"advertiseHttpPortToClientAs", UK_PORT, MU_ADVERTISE_HTTP_PORT,
     offsetof(struct member_update, advertise_http_port_to_client_as)},
    {"advertiseTcpPortToClientAs", UK_PORT, MU_ADVERTISE_TCP_PORT,
     offsetof(struct member_update, advertise_tcp_port_to_client_as)},
};
#define N_UPD_FIELDS (sizeof(upd_fields) / sizeof(upd_fields[0]))

static int
decode_update_field(struct ctx *x, const cJSON *root, size_t k,
		    struct member_update *u)
{
	void *dst = (char *)u + upd_fields[k].off;
	const char *name = upd_fields[k].name;

	switch (upd_fields[k].kind) {
	case UK_STATE:
		return get_state(x, root, name, dst);
	case UK_POS:
		return get_pos(x, root, name, dst);
	case UK_GUID:
		return get_guid(x, root, name, dst);
	case UK_PRIO:
		return get_int(x, root, name, INT32_MIN, INT32_MAX, dst);
	case UK_BOOL:
		return get_bool(x, root, name, dst);
	case UK_HOST:
		return get_host(x, root, name, true, dst);
	case UK_PORT:
		return get_port(x, root, name, dst);
	}
	return -1;
}

int
gossip_json_decode_member_update(const char *buf, size_t len, size_t max_bytes,
				 struct member_update *out, char *err,
				 size_t errlen)
{
	struct ctx x = {.where = "", .err = err, .errlen = errlen};
	struct member_update u = {0};
	const cJSON *it;
	cJSON *root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (buf == NULL) {
		errbuf_set(err, errlen, "empty document");
		return -1;
	}
	root = parse_tree(buf, len, max_bytes, err, errlen);
	if (root == NULL)
		return -1;
	cJSON_ArrayForEach(it, root)
	{
		size_t k;

		for (k = 0; k < N_UPD_FIELDS; k++)
			if (it->string != NULL &&
			    strcmp(it->string, upd_fields[k].name) == 0)
				break;
		if (k == N_UPD_FIELDS) {
			errbuf_set(
			    err, errlen,
			    "unknown field (allowed: state, writerCheckpoint, "
			    "chaserCheckpoint, lastCommitPosition, "
			    "epochPosition, epochNumber, epochId, "
			    "nodePriority, isReadOnlyReplica, "
			    "advertiseHostToClientAs, "
			    "advertiseHttpPortToClientAs, "
			    "advertiseTcpPortToClientAs)");
			goto out;
		}
		if (decode_update_field(&x, root, k, &u) < 0)
			goto out;
		u.fields |= upd_fields[k].flag;
	}
	*out = u;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}
