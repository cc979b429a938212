/*
 * access: the identity rules (see access.h).
 */
#include "access.h"

enum access_verdict
access_check(enum access_rule rule, enum node_identity id,
	     const struct access_switches *sw)
{
	if (rule == ACCESS_GOSSIP_READ)
		return !sw->gossip_requires_client_cert || id != ID_ANONYMOUS
			   ? ACCESS_OK
			   : ACCESS_UNAUTHENTICATED;
	if (rule == ACCESS_METRICS && !sw->metrics_requires_node) {
		if (!sw->metrics_requires_client_cert || id != ID_ANONYMOUS)
			return ACCESS_OK;
		return ACCESS_UNAUTHENTICATED;
	}
	if (rule == ACCESS_ADMIN_CHANGE) {
		if (id == ID_LOCAL_ADMIN ||
		    (id == ID_NODE && sw->admin_over_https))
			return ACCESS_OK;
		return id == ID_ANONYMOUS ? ACCESS_UNAUTHENTICATED
					  : ACCESS_FORBIDDEN;
	}
	if (rule == ACCESS_ANY || id == ID_NODE)
		return ACCESS_OK;
	if (id == ID_LOCAL_ADMIN && rule != ACCESS_NODE)
		return ACCESS_OK;
	return id == ID_ANONYMOUS ? ACCESS_UNAUTHENTICATED : ACCESS_FORBIDDEN;
}

enum node_identity
access_identity_at(enum node_identity id, time_t not_after, time_t now)
{
	if (not_after != 0 && now > not_after &&
	    (id == ID_NODE || id == ID_CLIENT))
		return ID_ANONYMOUS;
	return id;
}
