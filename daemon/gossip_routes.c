/*
 * gossip_routes: every /gossip handler (GET and HEAD with their format
 * and Accept checks, POST from nodes) and the member endpoints of the
 * admin socket (/admin/member).
 *
 * The table (d->cluster) carries its own mutex (see common/cluster.h), so
 * handlers on any worker thread call it without a lock here.
 */
#include "gossip_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster.h"
#include "gossip_json.h"
#include "log.h"
#include "metrics.h"

#define UPDATE_MAX_BYTES 4096

/* Defence in depth: routes.c checks identities before calling us. */
static bool
is_node(const struct request *r)
{
	return r->identity == ID_NODE || r->d->cfg->insecure;
}

static enum MHD_Result
respond_document(struct request *r)
{
	struct shared_buf *b = cluster_document(r->d->cluster, ticks_now());
	enum MHD_Result ret;

	if (b == NULL)
		return respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "out of memory");
	ret = respond_shared(r, MHD_HTTP_OK, CT_JSON, b);
	shared_buf_unref(b);
	return ret;
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
	return respond_document(r);
}

/* Does one media range of an Accept header admit JSON? A range with
 * q=0 admits nothing. The range is copied into a bounded buffer; a longer
 * one admits nothing. */
static bool
range_admits_json(const char *range, size_t len)
{
	static const char *const ok[] = {"application/json", "application/*",
					 "*/*"};
	char buf[128], *param, *save = NULL, *type;
	size_t i;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, range, len);
	buf[len] = '\0';
	type = strtok_r(buf, ";", &save);
	if (type == NULL)
		return false;
	while ((param = strtok_r(NULL, ";", &save)) != NULL) {
		param += strspn(param, " \t");
		if ((param[0] == 'q' || param[0] == 'Q') && param[1] == '=' &&
		    strtod(param + 2, NULL) <= 0.0)
			return false;
	}
	type += strspn(type, " \t");
	type[strcspn(type, " \t")] = '\0';
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcasecmp(type, ok[i]) == 0)
			return true;
	return false;
}

static bool
accept_admits_json(const char *accept)
{
	const char *p = accept;

	if (accept == NULL || accept[strspn(accept, " \t")] == '\0')
		return true;
	while (*p != '\0') {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, ",");
		if (range_admits_json(p, len))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

enum MHD_Result
route_gossip_read(struct request *r)
{
	const char *format = request_arg(r, "format");

	if (format != NULL && strcasecmp(format, "json") != 0)
		return respond_error(r, MHD_HTTP_NOT_ACCEPTABLE,
				     "unsupported format; use format=json");
	if (!accept_admits_json(request_header(r, MHD_HTTP_HEADER_ACCEPT)))
		return respond_error(r, MHD_HTTP_NOT_ACCEPTABLE,
				     "only application/json is available");
	return route_gossip_get(r);
}

enum MHD_Result
route_gossip_post(struct request *r)
{
	const struct gossipd_config *cfg = r->d->cfg;
	struct cluster_doc doc;
	char err[256], msg[300];

	if (!is_node(r))
		return respond_error(r,
				     r->identity == ID_ANONYMOUS
					 ? MHD_HTTP_UNAUTHORIZED
					 : MHD_HTTP_FORBIDDEN,
				     "this endpoint is for cluster nodes only");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	if (gossip_json_decode(r->body, r->body != NULL ? r->body_len : 0,
			       (size_t)cfg->max_body_bytes,
			       (size_t)cfg->max_members + OPT_MAX_SEEDS + 1,
			       &doc, err, sizeof(err)) != 0) {
		log_info("gossip from %s refused: %s", r->peer_addr, err);
		metrics_document_refused("invalid");
		snprintf(msg, sizeof(msg), "invalid gossip document: %s", err);
		return respond_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}
	cluster_merge(r->d->cluster, &doc, NULL, ticks_now());
	cluster_doc_free(&doc);
	return respond_document(r);
}

enum MHD_Result
route_admin_member_put(struct request *r)
{
	struct member_update u;
	struct member self;
	char err[256], msg[300];

	if (!is_node(r) && r->identity != ID_LOCAL_ADMIN)
		return respond_error(r,
				     r->identity == ID_ANONYMOUS
					 ? MHD_HTTP_UNAUTHORIZED
					 : MHD_HTTP_FORBIDDEN,
				     "only nodes and the admin socket may "
				     "update the member");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	if (gossip_json_decode_member_update(
		r->body, r->body != NULL ? r->body_len : 0, UPDATE_MAX_BYTES,
		&u, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "invalid member update: %s", err);
		return respond_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}
	cluster_update_self(r->d->cluster, &u, ticks_now(), &self);
	return respond_self(r, &self);
}

enum MHD_Result
route_admin_member_get(struct request *r)
{
	struct member self;

	if (!is_node(r) && r->identity != ID_LOCAL_ADMIN)
		return respond_error(r,
				     r->identity == ID_ANONYMOUS
					 ? MHD_HTTP_UNAUTHORIZED
					 : MHD_HTTP_FORBIDDEN,
				     "only nodes and the admin socket may "
				     "read the member");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	cluster_get_self(r->d->cluster, &self);
	return respond_self(r, &self);
}
