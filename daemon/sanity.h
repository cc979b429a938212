/*
 * sanity: start-up warnings (see sanity.c).
 */
#ifndef GOSSIPD_SANITY_H
#define GOSSIPD_SANITY_H

#include "options.h"

/* ClusterSize > 1 with no seeds and no DNS; Insecure with certificate
 * options; a wildcard advertised; NodeHostAdvertiseAs not local. */
void sanity_before_start(const struct gossipd_config *cfg);
/* Credential and configuration files unreadable after the privilege
 * drop (a reload would fail). */
void sanity_after_drop(const struct gossipd_config *cfg);

#endif
