/*
 * builtin_routes: the daemon's own small endpoints (everything but the
 * gossip document's handlers, which are in gossip_routes.c). routes.c
 * calls them after the method, identity and body checks.
 */
#ifndef GOSSIPD_BUILTIN_ROUTES_H
#define GOSSIPD_BUILTIN_ROUTES_H

#include "routes.h"

#define CT_PROM "text/plain; version=0.0.4; charset=utf-8"

/* GET/HEAD /health/live: 204 (or ?liveCode=2xx) while serving, else 503. */
enum MHD_Result route_health_live(struct request *r);
/* GET /ping: a fixed JSON text. */
enum MHD_Result route_ping(struct request *r);
/* GET /info: version, self state in lower case, features. */
enum MHD_Result route_info(struct request *r);
/* GET /metrics: Prometheus text format 0.0.4. */
enum MHD_Result route_metrics(struct request *r);
/* POST /admin/reloadconfig: gossipd_reload; 200 or 500 with the reason. */
enum MHD_Result route_reload_config(struct request *r);

#endif
