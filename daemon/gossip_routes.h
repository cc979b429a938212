/*
 * gossip_routes: every /gossip handler, and /admin/member.
 */
#ifndef GOSSIPD_GOSSIP_ROUTES_H
#define GOSSIPD_GOSSIP_ROUTES_H

#include "routes.h"

/* GET/HEAD /gossip: format=json only, an Accept that admits JSON; the
 * cached document. */
enum MHD_Result route_gossip_read(struct request *r);
/* POST /gossip: nodes only; merge and answer the merged document. */
enum MHD_Result route_gossip_post(struct request *r);
/* POST /gossip/probe: reach a suspect member for the asking node. */
enum MHD_Result route_gossip_probe(struct request *r);
/* POST /admin/member/remove: the admin socket; remove a member. */
enum MHD_Result route_admin_member_remove(struct request *r);
/* PUT /admin/member: nodes or the admin socket; update the self entry. */
enum MHD_Result route_admin_member_put(struct request *r);
/* GET /admin/member: the self entry (for "gossipd member show"). */
enum MHD_Result route_admin_member_get(struct request *r);

#endif
