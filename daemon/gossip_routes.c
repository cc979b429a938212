/*
 * gossip_routes: every /gossip handler (GET and HEAD with their format
 * and Accept checks, POST from nodes) and the member endpoints of the
 * admin socket (/admin/member).
 *
 * The table (d->cluster) carries its own mutex (see common/cluster.h), so
 * handlers on any worker thread call it without a lock here.
 */
#include "gossip_routes.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "client_view.h"
#include "cluster.h"
#include "gossip_json.h"
#include "gossip_service.h"
#include "gossiper.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "negotiate.h"

#define UPDATE_MAX_BYTES 4096
#define PROBE_MAX_BYTES	 1024

/* Defence in depth: routes.c checks identities before calling us. */
static bool
is_node(const struct request *r)
{
	return r->identity == ID_NODE || r->cfg->insecure;
}

/* The document: the client view for GET (advertised client endpoints,
 * client_view.c), the table as nodes exchange it for POST. */
static enum MHD_Result
respond_document(struct request *r, bool client)
{
	return respond_rendered(
	    r, CT_JSON,
	    client ? client_view_json(r->d->cluster)
		   : cluster_document(r->d->cluster, ticks_now()),
	    "out of memory");
}

static enum MHD_Result
respond_self(struct request *r, const struct member *self)
{
	size_t len;
	char *s = gossip_json_encode_member(self, &len);
	enum MHD_Result ret;

	if (s == NULL)
		return respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "out of memory");
	ret = respond_bytes(r, MHD_HTTP_OK, CT_JSON, s, len);
	free(s);
	return ret;
}

/* GET/HEAD /gossip: the cached document. */
static enum MHD_Result
route_gossip_get(struct request *r)
{
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	return respond_document(r, true);
}

enum MHD_Result
route_gossip_read(struct request *r)
{
	switch (negotiate_gossip(request_arg(r, "format"),
				 request_header(r, MHD_HTTP_HEADER_ACCEPT))) {
	case NEGOTIATE_BAD_FORMAT:
		return respond_error(r, MHD_HTTP_NOT_ACCEPTABLE,
				     "unsupported format; use format=json");
	case NEGOTIATE_NOT_ACCEPTABLE:
		return respond_error(r, MHD_HTTP_NOT_ACCEPTABLE,
				     "only application/json is available");
	default:
		return route_gossip_get(r);
	}
}

/*
 * A sender that suspects us says so beside the document (the
 * Gossip-Suspects header): we refute at once with a fresh self entry,
 * which the answer carries and the gossip spreads.
 */
static void
refute_if_suspected(struct request *r)
{
	const char *h = request_header(r, GOSSIP_SUSPECTS_HEADER);
	struct gossip_seed list[GOSSIP_SUSPECTS_MAX];
	struct member self;
	char err[128];
	size_t n = 0;

	if (h == NULL || strlen(h) > GOSSIP_SUSPECTS_HEADER_MAX ||
	    options_parse_seeds(h, list, GOSSIP_SUSPECTS_MAX, &n, err,
				sizeof(err)) != 0)
		return;
	cluster_get_self(r->d->cluster, &self);
	for (size_t i = 0; i < n; i++) {
		if (list[i].port == self.http_port &&
		    strcasecmp(list[i].host, self.http_ip) == 0) {
			cluster_touch_self(r->d->cluster, ticks_now());
			log_info("suspected by the node at %s: refuting with a "
				 "fresh entry",
				 r->peer_addr);
			return;
		}
	}
}

/*
 * ClusterId: a node of another cluster (or of none, when we have one) is
 * refused, with one line per peer address a minute. Returns true when
 * the request may go on.
 */
static bool
cluster_id_ok(struct request *r)
{
	const char *ours = r->cfg->cluster_id;
	const char *theirs = request_header(r, HTTPC_CLUSTER_ID_HEADER);

	if (ours == NULL || (theirs != NULL && strcmp(ours, theirs) == 0))
		return true;
	char key[HTTPC_CLUSTER_ID_MAX + 16];

	metrics_document_refused("cluster_id");
	/* Once a minute per foreign cluster: each connection of the peer
	 * comes from another port. */
	snprintf(key, sizeof(key), "cluster %.64s",
		 theirs != NULL ? theirs : "");
	if (gossip_log_once_a_minute(key))
		log_fmsg(LL_WARN,
			 &(struct log_fields){.peer = r->peer_addr,
					      .reason = "cluster_id"},
			 "gossip from %s refused: it is of cluster \"%.64s\", "
			 "we are \"%s\" (ClusterId)",
			 r->peer_addr, theirs != NULL ? theirs : "(none)",
			 ours);
	return false;
}

/* Removal records beside the document: applied before it is merged. */
static void
apply_removals(struct request *r)
{
	struct cluster_removal rec[GOSSIP_REMOVED_MAX];
	size_t n = gossip_removals_parse(
	    request_header(r, GOSSIP_REMOVED_HEADER), rec, GOSSIP_REMOVED_MAX);

	for (size_t i = 0; i < n; i++)
		cluster_apply_removal(r->d->cluster, &rec[i], ticks_now());
}

enum MHD_Result
route_gossip_post(struct request *r)
{
	const struct gossipd_config *cfg = r->cfg;
	struct cluster_doc doc;
	char err[256], msg[300];

	if (!is_node(r))
		return respond_refused(
		    r, "this endpoint is for cluster nodes only");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	if (!cluster_id_ok(r))
		return respond_error(r, MHD_HTTP_FORBIDDEN,
				     "another cluster (ClusterId differs)");
	if (gossip_json_decode(r->body, r->body != NULL ? r->body_len : 0,
			       (size_t)cfg->max_body_bytes,
			       (size_t)cfg->max_members + OPT_MAX_SEEDS + 1,
			       &doc, err, sizeof(err)) != 0) {
		log_fmsg(LL_INFO,
			 &(struct log_fields){.peer = r->peer_addr,
					      .reason = err,
					      .cn = r->peer_cn[0] ? r->peer_cn
								  : NULL},
			 "gossip from %s refused: %s", r->peer_addr, err);
		metrics_document_refused("invalid");
		snprintf(msg, sizeof(msg), "invalid gossip document: %s", err);
		return respond_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}
	apply_removals(r);
	cluster_merge(r->d->cluster, &doc, NULL, ticks_now());
	cluster_doc_free(&doc);
	refute_if_suspected(r);
	return respond_document(r, false);
}

/* One endpoint "host:port" (or "[v6]:port") into t. */
static bool
parse_target(const char *s, struct cluster_target *t)
{
	struct gossip_seed one;
	char err[128];
	size_t n = 0;

	if (s == NULL || strlen(s) >= MEMBER_HOST_MAX ||
	    options_parse_seeds(s, &one, 1, &n, err, sizeof(err)) != 0 ||
	    n != 1 || strlen(one.host) >= sizeof(t->host))
		return false;
	snprintf(t->host, sizeof(t->host), "%s", one.host);
	t->port = one.port;
	return true;
}

/*
 * POST /gossip/probe {"target":"host:port","reply":"host:port"}: a node
 * that suspects target asks us to reach it (SWIM's indirect probe). Both
 * must be members of our table (we dial only members, never an address
 * a request names); the probe runs on the gossiper, and when target
 * answers, its fresh entry is pushed to reply at once. 202 when queued.
 */
enum MHD_Result
route_gossip_probe(struct request *r)
{
	struct cluster_target target, reply;
	const cJSON *jt, *jr;
	cJSON *root;
	bool ok;

	if (!is_node(r))
		return respond_refused(
		    r, "this endpoint is for cluster nodes only");
	if (r->d->cluster == NULL || r->d->gossiper == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not gossiping");
	if (!cluster_id_ok(r))
		return respond_error(r, MHD_HTTP_FORBIDDEN,
				     "another cluster (ClusterId differs)");
	if (r->body == NULL || r->body_len > PROBE_MAX_BYTES)
		return respond_error(r, MHD_HTTP_BAD_REQUEST,
				     "expected {\"target\":\"host:port\","
				     "\"reply\":\"host:port\"}");
	root = cJSON_ParseWithLength(r->body, r->body_len);
	jt = cJSON_GetObjectItemCaseSensitive(root, "target");
	jr = cJSON_GetObjectItemCaseSensitive(root, "reply");
	ok = cJSON_IsString(jt) && cJSON_IsString(jr) &&
	     parse_target(jt->valuestring, &target) &&
	     parse_target(jr->valuestring, &reply);
	cJSON_Delete(root);
	if (!ok)
		return respond_error(r, MHD_HTTP_BAD_REQUEST,
				     "expected {\"target\":\"host:port\","
				     "\"reply\":\"host:port\"}");
	if (!cluster_is_member(r->d->cluster, &target) ||
	    !cluster_is_member(r->d->cluster, &reply))
		return respond_error(r, MHD_HTTP_NOT_FOUND,
				     "target or reply is not a member here");
	if (!gossiper_probe(r->d->gossiper, &target, &reply))
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "too many probes queued");
	return respond_bytes(r, MHD_HTTP_ACCEPTED, CT_JSON, "{\"queued\":true}",
			     15);
}

/* What both member endpoints check first (routes.c checked the route's
 * rule already: defence in depth): true when answered, refused or not
 * serving, with the answer in *ret. */
static bool
member_refused(struct request *r, const char *verb, enum MHD_Result *ret)
{
	char msg[96];

	if (!is_node(r) && r->identity != ID_LOCAL_ADMIN) {
		snprintf(msg, sizeof(msg),
			 "only nodes and the admin socket may %s the member",
			 verb);
		*ret = respond_refused(r, msg);
		return true;
	}
	if (r->d->cluster == NULL) {
		*ret = respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
		return true;
	}
	return false;
}

enum MHD_Result
route_admin_member_put(struct request *r)
{
	struct member_update u;
	struct member self, before;
	char err[256], msg[300], who[384];
	enum MHD_Result ret;

	if (member_refused(r, "update", &ret))
		return ret;
	if (gossip_json_decode_member_update(
		r->body, r->body != NULL ? r->body_len : 0, UPDATE_MAX_BYTES,
		&u, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "invalid member update: %s", err);
		return respond_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}
	cluster_get_self(r->d->cluster, &before);
	cluster_update_self(r->d->cluster, &u, ticks_now(), &self);
	audit_who(r, who, sizeof(who));
	audit_member(who, &before, &self);
	return respond_self(r, &self);
}

enum MHD_Result
route_admin_member_get(struct request *r)
{
	struct member self;
	enum MHD_Result ret;

	if (member_refused(r, "read", &ret))
		return ret;
	cluster_get_self(r->d->cluster, &self);
	return respond_self(r, &self);
}

/*
 * POST /admin/member/remove {"endpoint":"host:port","force":bool}: the
 * admin socket only. Removes a member from the table with a removal
 * record that the gossip spreads, so that relayed copies do not bring it
 * back. 200 {"removed":...}, 404 no such member, 409 alive without force.
 */
enum MHD_Result
route_admin_member_remove(struct request *r)
{
	struct cluster_target t;
	const cJSON *je, *jf;
	cJSON *root;
	char msg[400], who[384];
	bool ok, force = false;

	if (r->identity != ID_LOCAL_ADMIN)
		return respond_error(
		    r, MHD_HTTP_FORBIDDEN,
		    "only the admin socket may remove members");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	root = r->body != NULL && r->body_len <= PROBE_MAX_BYTES
		   ? cJSON_ParseWithLength(r->body, r->body_len)
		   : NULL;
	je = cJSON_GetObjectItemCaseSensitive(root, "endpoint");
	jf = cJSON_GetObjectItemCaseSensitive(root, "force");
	ok = cJSON_IsString(je) && parse_target(je->valuestring, &t) &&
	     (jf == NULL || cJSON_IsBool(jf));
	force = cJSON_IsTrue(jf);
	cJSON_Delete(root);
	if (!ok)
		return respond_error(r, MHD_HTTP_BAD_REQUEST,
				     "expected {\"endpoint\":\"host:port\","
				     "\"force\":true|false}");
	switch (cluster_remove(r->d->cluster, &t, force, ticks_now())) {
	case CR_REMOVED:
		audit_who(r, who, sizeof(who));
		log_warn("audit: %s: POST /admin/member/remove: member %s:%d "
			 "removed%s",
			 who, t.host, t.port, force ? " (forced)" : "");
		snprintf(msg, sizeof(msg), "{\"removed\":\"%s:%d\"}", t.host,
			 t.port);
		return respond_bytes(r, MHD_HTTP_OK, CT_JSON, msg, strlen(msg));
	case CR_UNKNOWN:
		return respond_error(r, MHD_HTTP_NOT_FOUND,
				     "no member at that endpoint (a seed "
				     "placeholder is not a member: change "
				     "GossipSeed)");
	case CR_ALIVE:
		return respond_error(r, MHD_HTTP_CONFLICT,
				     "the member is alive: give --force to "
				     "remove it anyway (it comes back when it "
				     "restarts)");
	default:
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "too many removal records in force");
	}
}
