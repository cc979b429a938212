/*
 * sanity: start-up warnings for settings that load but will not do what
 * the operator most likely meant. Nothing here stops the daemon.
 */
#include "sanity.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "resolver.h"

#define SANITY_DNS_MS 2000 /* NodeHostAdvertiseAs, at start */

static bool
is_wildcard(const char *ip)
{
	return strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

/* Is the address one of this machine's (an interface's, or loopback)? */
static bool
is_local(const struct sockaddr *sa, const struct ifaddrs *ifs)
{
	const struct ifaddrs *i;

	if (sa->sa_family == AF_INET &&
	    (ntohl(((const struct sockaddr_in *)(const void *)sa)
		       ->sin_addr.s_addr) >>
	     24) == 127)
		return true;
	for (i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL ||
		    i->ifa_addr->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET &&
		    memcmp(
			&((const struct sockaddr_in *)(const void *)sa)
			     ->sin_addr,
			&((const struct sockaddr_in *)(const void *)i->ifa_addr)
			     ->sin_addr,
			sizeof(struct in_addr)) == 0)
			return true;
		if (sa->sa_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)(const void *)sa)
				->sin6_addr,
			   &((const struct sockaddr_in6 *)(const void *)
				 i->ifa_addr)
				->sin6_addr,
			   sizeof(struct in6_addr)) == 0)
			return true;
	}
	return false;
}

/* NodeHostAdvertiseAs should be an address of this machine (or a name
 * for one); behind NAT or a proxy it legitimately is not. */
static void
check_advertised(const struct gossipd_config *cfg)
{
	const char *host = cfg->node_host_advertise_as;
	struct addrinfo *res = NULL, *ai;
	struct ifaddrs *ifs = NULL;
	bool local = false;
	char why[320];

	if (host == NULL || is_wildcard(host))
		return;
	/* the program's resolver, bounded: a silent name server must not
	 * hold up the start */
	if (resolver_addrinfo(host, cfg->node_port, 0,
			      clock_mono_ms() + SANITY_DNS_MS, SANITY_DNS_MS,
			      &res, why, sizeof(why)) != 0) {
		log_warn("NodeHostAdvertiseAs %s does not resolve (%s): other "
			 "members and clients will not reach this node by it",
			 host, why);
		return;
	}
	if (getifaddrs(&ifs) == 0) {
		for (ai = res; ai != NULL && !local; ai = ai->ai_next)
			local = is_local(ai->ai_addr, ifs);
		freeifaddrs(ifs);
		if (!local)
			log_warn(
			    "NodeHostAdvertiseAs %s resolves to no address "
			    "of this machine: right behind NAT or a proxy "
			    "that forwards to this node, wrong otherwise",
			    host);
	}
	freeaddrinfo(res);
}

void
sanity_before_start(const struct gossipd_config *cfg)
{
	static const char *const cert_keys[] = {
	    "CertificateFile",
	    "CertificatePassword",
	    "CertificatePrivateKeyFile",
	    "CertificatePrivateKeyPassword",
	    "TrustedRootCertificatesPath",
	    "CertificateReservedNodeCommonName",
	    "CertificateRevocationListFile",
	};
	char given[256] = "";
	size_t n = 0;

	if (cfg->cluster_size > 1 && cfg->n_seeds == 0 &&
	    !(cfg->discover_via_dns && cfg->cluster_dns != NULL))
		log_warn(
		    "ClusterSize is %d but there is no GossipSeed and no "
		    "DiscoverViaDns/ClusterDns: this node finds nobody and "
		    "waits for the others to find it",
		    cfg->cluster_size);
	if (cfg->insecure) {
		for (size_t i = 0; i < sizeof(cert_keys) / sizeof(cert_keys[0]);
		     i++)
			if (options_source(cfg, cert_keys[i]) != SRC_DEFAULT)
				n += (size_t)snprintf(
				    given + n, sizeof(given) - n, "%s%s",
				    n > 0 ? ", " : "", cert_keys[i]);
		if (n > 0)
			log_warn(
			    "Insecure is true, so these certificate options "
			    "are ignored: %s",
			    given);
	}
	if (is_wildcard(options_advertised_host(cfg)))
		log_warn("this node advertises %s, which no other member or "
			 "client can connect to: set NodeHostAdvertiseAs to an "
			 "address or name of this machine",
			 options_advertised_host(cfg));
	check_advertised(cfg);
}

/* After the privilege drop: a reload re-reads these files as this user. */
void
sanity_after_drop(const struct gossipd_config *cfg)
{
	const struct {
		const char *key, *path;
	} files[] = {
	    {"CertificateFile", cfg->certificate_file},
	    {"CertificatePrivateKeyFile", cfg->certificate_private_key_file},
	    {"TrustedRootCertificatesPath",
	     cfg->trusted_root_certificates_path},
	    {"CertificateRevocationListFile",
	     cfg->certificate_revocation_list_file},
	    {"configuration file", cfg->config_path},
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].path == NULL || (cfg->insecure && i < 4) ||
		    access(files[i].path, R_OK) == 0)
			continue;
		log_warn(
		    "%s %s is not readable by this process (uid %d) after "
		    "the privilege drop: a reload (SIGHUP) will fail until "
		    "it is",
		    files[i].key, files[i].path, (int)getuid());
	}
}
