/*
 * health_routes: readiness and per-member health (see health_routes.c).
 */
#ifndef GOSSIPD_HEALTH_ROUTES_H
#define GOSSIPD_HEALTH_ROUTES_H

#include "routes.h"

/*
 * GET/HEAD /health/ready: 200 {"ready":true} once serving with valid
 * credentials and, when ClusterSize > 1, after a successful exchange;
 * else 503 {"ready":false,"reason":"..."}.
 */
enum MHD_Result route_health_ready(struct request *r);
/* GET/HEAD /members/health: every member with its exchange health and
 * the cluster verdict (same access rule as /metrics). */
enum MHD_Result route_members_health(struct request *r);

#endif
