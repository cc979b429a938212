/* Placeholder until the gossip part lands (issue 5). */
#include "gossip_routes.h"
enum MHD_Result
route_gossip_get(struct request *r)
{
	(void)r;
	return MHD_NO;
}
enum MHD_Result
route_gossip_post(struct request *r)
{
	(void)r;
	return MHD_NO;
}
enum MHD_Result
route_admin_member_put(struct request *r)
{
	(void)r;
	return MHD_NO;
}
enum MHD_Result
route_admin_member_get(struct request *r)
{
	(void)r;
	return MHD_NO;
}
int
gossip_service_start(struct gossipd *d, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	return 0;
}
void
gossip_service_stop(struct gossipd *d)
{
	(void)d;
}
void
gossip_service_reload(struct gossipd *d)
{
	(void)d;
}
const char *
gossip_self_state(struct gossipd *d)
{
	(void)d;
	return "unknown";
}
