/*
 * health_routes: GET /health/ready and GET /members/health, and the
 * per-member metrics, all read from d->peers (common/peer_health.h,
 * recorded by the gossip side) and the member table.
 */
#include "health_routes.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin_routes.h"
#include "cluster.h"
#include "peer_health.h"

/* Why the node is not ready, or NULL when it is. */
static const char *
not_ready_reason(struct gossipd *d, const struct gossipd_config *cfg,
		 time_t now)
{
	struct tls_creds *c;
	const char *why = NULL;

	if (atomic_load(&d->phase) != PHASE_SERVING)
		return "not serving yet";
	c = gossipd_creds_get(d);
	if (c == NULL && !cfg->insecure)
		why = "no credentials";
	else if (c != NULL && c->own_not_after <= now)
		why = "the node certificate has expired";
	tls_creds_unref(c);
	if (why == NULL && cfg->cluster_size > 1 &&
	    peer_health_successes(d->peers) == 0)
		why = "no successful gossip exchange yet";
	return why;
}

enum MHD_Result
route_health_ready(struct request *r)
{
	const char *why = not_ready_reason(r->d, r->cfg, time(NULL));
	char body[160];
	int n;

	if (why == NULL)
		return respond_bytes(r, MHD_HTTP_OK, CT_JSON,
				     "{\"ready\":true}", 14);
	n = snprintf(body, sizeof(body), "{\"ready\":false,\"reason\":\"%s\"}",
		     why);
	return respond_bytes(r, MHD_HTTP_SERVICE_UNAVAILABLE, CT_JSON, body,
			     (size_t)n);
}

static void
add_time(cJSON *o, const char *name, time_t t, time_t now)
{
	char iso[32], ago[64];
	struct tm tm;

	if (t == 0) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, name, iso);
	snprintf(ago, sizeof(ago), "%sSecondsAgo", name);
	cJSON_AddNumberToObject(o, ago, (double)(now - t));
}

static void
add_peer(cJSON *o, const struct peer_health_entry *e, time_t now)
{
	add_time(o, "lastSuccess", e->last_ok, now);
	add_time(o, "lastError", e->last_error_at, now);
	if (e->last_error_at != 0) {
		cJSON_AddStringToObject(o, "lastErrorReason", e->reason);
		cJSON_AddStringToObject(o, "lastErrorText", e->error);
	}
	if (e->last_ok != 0)
		cJSON_AddNumberToObject(
		    o, "roundTripMs",
		    (double)(long long)(e->rtt_seconds * 1e6) / 1000.0);
	if (e->cert_not_after != 0)
		cJSON_AddNumberToObject(o, "certificateExpiresInSeconds",
					(double)(e->cert_not_after - now));
	cJSON_AddNumberToObject(o, "consecutiveFailures",
				e->consecutive_failures);
}

static cJSON *
members_health(struct gossipd *d, int cluster_size, time_t now)
{
	struct cluster_doc doc;
	struct cluster_verdict v;
	struct member self;
	char ep[PEER_HEALTH_ENDPOINT_MAX], self_ep[PEER_HEALTH_ENDPOINT_MAX];
	cJSON *root = cJSON_CreateObject(), *arr;
	size_t i;

	if (root == NULL || d->cluster == NULL ||
	    cluster_snapshot(d->cluster, &doc) != 0) {
		cJSON_Delete(root);
		return NULL;
	}
	cluster_get_self(d->cluster, &self);
	member_endpoint(&self, self_ep, sizeof(self_ep));
	cluster_verdict_of(&doc, cluster_size, &v);
	cJSON_AddStringToObject(root, "self", self_ep);
	cJSON_AddNumberToObject(root, "clusterSize", cluster_size);
	cJSON_AddBoolToObject(root, "healthy", v.healthy);
	cJSON_AddStringToObject(root, "problems", v.problems);
	cJSON_AddNumberToObject(root, "alive", (double)v.alive);
	cJSON_AddNumberToObject(root, "dead", (double)v.dead);
	cJSON_AddNumberToObject(root, "leaders", (double)v.leaders);
	arr = cJSON_AddArrayToObject(root, "members");
	for (i = 0; arr != NULL && i < doc.n; i++) {
		const struct member *m = &doc.members[i];
		struct peer_health_entry e;
		cJSON *o = cJSON_CreateObject();
		const char *st = member_state_name(m->state);

		if (o == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		member_endpoint(m, ep, sizeof(ep));
		cJSON_AddStringToObject(o, "endpoint", ep);
		cJSON_AddStringToObject(o, "state", st != NULL ? st : "?");
		cJSON_AddBoolToObject(o, "isAlive", m->is_alive);
		cJSON_AddBoolToObject(o, "self", strcmp(ep, self_ep) == 0);
		cJSON_AddBoolToObject(o, "seedNotYetAnswered",
				      guid_is_zero(&m->instance_id));
		{
			struct cluster_target t;

			snprintf(t.host, sizeof(t.host), "%s", m->http_ip);
			t.port = m->http_port;
			cJSON_AddBoolToObject(
			    o, "suspect", cluster_is_suspect(d->cluster, &t));
		}
		if (peer_health_get(d->peers, ep, &e))
			add_peer(o, &e, now);
	}
	cluster_doc_free(&doc);
	return root;
}

enum MHD_Result
route_members_health(struct request *r)
{
	cJSON *root = members_health(r->d, r->cfg->cluster_size, time(NULL));
	char *s = root != NULL ? cJSON_PrintUnformatted(root) : NULL;
	enum MHD_Result ret;

	cJSON_Delete(root);
	if (s == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "member table unavailable");
	ret = respond_bytes(r, MHD_HTTP_OK, CT_JSON, s, strlen(s));
	cJSON_free(s);
	return ret;
}
