/*
 * builtin_routes: /health/live, /ping, /info, /metrics and
 * /admin/reloadconfig.
 */
#include "builtin_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gossip_service.h"
#include "log.h"
#include "audit.h"
#include "metrics.h"
#include "num.h"
#include "reload.h"

enum MHD_Result
route_health_live(struct request *r)
{
	const char *code = request_arg(r, "liveCode");
	unsigned status = MHD_HTTP_NO_CONTENT;

	if (code != NULL) {
		int v;

		if (num_parse_int(code, 200, 299, &v) != NUM_OK)
			return respond_error(r, MHD_HTTP_BAD_REQUEST,
					     "liveCode must be a 2xx status");
		status = (unsigned)v;
	}
	if (atomic_load(&r->d->phase) != PHASE_SERVING)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	return respond_empty(r, status);
}

enum MHD_Result
route_ping(struct request *r)
{
	static const char body[] =
	    "{\"text\":\"Ping request successfully handled\"}";

	return respond_bytes(r, MHD_HTTP_OK, CT_JSON, body, sizeof(body) - 1);
}

enum MHD_Result
route_info(struct request *r)
{
	const char *state = gossip_self_state(r->d);
	char lower[64], body[512];
	size_t i;
	int n;

	for (i = 0; state != NULL && state[i] != '\0' && i < sizeof(lower) - 1;
	     i++) {
		char c = state[i];

		lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	lower[i] = '\0';
	n = snprintf(body, sizeof(body),
		     "{\"esVersion\":\"gossipd %s\",\"state\":\"%s\","
		     "\"features\":{\"projections\":false,"
		     "\"userManagement\":false,\"atomPub\":false,"
		     "\"tls\":%s}}",
		     GOSSIPD_VERSION, lower,
		     r->cfg->insecure ? "false" : "true");
	return respond_bytes(r, MHD_HTTP_OK, CT_JSON, body, (size_t)n);
}

enum MHD_Result
route_metrics(struct request *r)
{
	return respond_rendered(r, CT_PROM, metrics_render(r->d),
				"metrics unavailable");
}

static void
job_free(void *j)
{
	reload_job_unref(j);
}

/*
 * The reload runs on the main thread (reload.c): the first call suspends
 * the connection and asks; once the main thread has answered, the worker
 * resumes the connection and this is called again, to answer.
 */
enum MHD_Result
route_reload_config(struct request *r)
{
	struct reload_job *j = r->pending;
	const struct gossipd_config *after;
	enum MHD_Result ret;
	const char *why;
	char who[384];
	int rc;

	if (j == NULL) {
		log_info("reload requested by %s (%s)", r->peer_addr,
			 node_identity_name(r->identity));
		j = reload_ask(r->d, r->w, r->conn);
		if (j == NULL)
			return respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
					     "out of memory");
		r->pending = j;
		r->pending_free = job_free;
		MHD_suspend_connection(r->conn);
		return MHD_YES;
	}
	if (!reload_job_result(j, &rc, &why)) {
		rc = -1; /* resumed without an answer: never expected */
		why = "the reload was not answered";
	}
	/* r->cfg: the configuration pinned when the request began */
	audit_who(r, who, sizeof(who));
	after = gossipd_cfg_get(r->d);
	audit_reload(who, r->cfg, after, rc, why);
	gossipd_cfg_put(after);
	ret = rc == 0 ? respond_bytes(r, MHD_HTTP_OK, CT_JSON,
				      "{\"result\":\"reloaded\"}", 21)
		      : respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, why);
	r->pending = NULL;
	reload_job_unref(j); /* why pointed into it: copied by now */
	return ret;
}
