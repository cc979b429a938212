/*
 * httpc_get: drives common/httpc from the shell tests.
 *
 *   httpc_get [options] HOST PORT PATH
 *     --plain                      plain HTTP
 *     --ca FILE [--cert F --key F] client files (discover/status mode)
 *     --verify-none                TLS without verification
 *     --node-cert F --node-key F --trusted PATH [--crl F] [--advertise H]
 *     [--reserved-cn PATTERN] [--crl-stale-refuses-all]
 *                                  node credentials (tls_creds_load); the
 *                                  server must be a node (reserved CN:
 *                                  PATTERN, or the own CN)
 *     --method M --data STRING --content-type T
 *     --timeout MS (2500) --max-body N --repeat N (1)
 *     --close-between              httpc_close_idle() between requests
 *     --pause-ms N                 wait N ms between requests
 *     --reload-at N [--reload-crl FILE]
 *                                  before request N, load the node
 *                                  credentials again (with this CRL)
 *                                  and httpc_set_creds() them
 *     --body                       print each body after its line
 *
 * One line per request on stdout:
 *   "#1 status=200 reused=0 resumed=0 len=2 type=application/json"
 * or "#1 error: <reason>" and exit status 1 (the remaining requests are
 * still made, so a test can see recovery). Exit 2: bad usage or setup.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpc.h"
#include "tls_creds.h"

static void
usage(void)
{
	fprintf(stderr, "usage: httpc_get [options] HOST PORT PATH "
			"(see the comment in tests/tools/httpc_get.c)\n");
	exit(2);
}

static long
num_arg(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* What a SIGHUP does in the daemon: a new set, swapped in whole. */
static int
reload(struct httpc *c, struct tls_creds_config *cc, const char *crl)
{
	struct tls_creds *creds = NULL;
	char err[512];

	if (cc->certificate_file == NULL) {
		fprintf(stderr, "httpc_get: --reload-at needs --node-cert\n");
		return -1;
	}
	if (crl != NULL)
		cc->crl_file = crl;
	if (tls_creds_load(cc, time(NULL), NULL, NULL, &creds, err,
			   sizeof err) != 0) {
		fprintf(stderr, "httpc_get: reload: %s\n", err);
		return -1;
	}
	httpc_set_creds(c, creds);
	tls_creds_unref(creds);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"plain", no_argument, NULL, 'P'},
	    {"ca", required_argument, NULL, 'a'},
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"verify-none", no_argument, NULL, 'V'},
	    {"node-cert", required_argument, NULL, 'N'},
	    {"node-key", required_argument, NULL, 'K'},
	    {"trusted", required_argument, NULL, 'T'},
	    {"crl", required_argument, NULL, 'R'},
	    {"advertise", required_argument, NULL, 'A'},
	    {"method", required_argument, NULL, 'm'},
	    {"data", required_argument, NULL, 'd'},
	    {"content-type", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 'o'},
	    {"max-body", required_argument, NULL, 'M'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"close-between", no_argument, NULL, 'C'},
	    {"pause-ms", required_argument, NULL, 'p'},
	    {"body", no_argument, NULL, 'b'},
	    {"reload-at", required_argument, NULL, 'L'},
	    {"reload-crl", required_argument, NULL, 'U'},
	    {"reserved-cn", required_argument, NULL, 'Z'},
	    {"crl-stale-refuses-all", no_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	struct httpc_config cfg = {0};
	struct tls_creds_config cc = {0};
	struct tls_creds *creds = NULL;
	struct httpc *c = NULL;
	const char *method = "GET", *data = NULL, *ctype = NULL;
	int timeout = 2500, repeat = 1, close_between = 0, print_body = 0;
	long pause_ms = 0;
	int ch, status = 0, reload_at = 0;
	const char *reload_crl = NULL;
	char err[512];

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			cfg.plain_http = 1;
			break;
		case 'a':
			cfg.ca_file = optarg;
			break;
		case 'c':
			cfg.cert_file = optarg;
			break;
		case 'k':
			cfg.key_file = optarg;
			break;
		case 'V':
			cfg.verify_none = 1;
			break;
		case 'N':
			cc.certificate_file = optarg;
			break;
		case 'K':
			cc.private_key_file = optarg;
			break;
		case 'T':
			cc.trusted_roots_path = optarg;
			break;
		case 'R':
			cc.crl_file = optarg;
			break;
		case 'A':
			cc.advertised_host = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 't':
			ctype = optarg;
			break;
		case 'o':
			timeout = (int)num_arg(optarg, 1, 600000);
			break;
		case 'M':
			cfg.max_body = (size_t)num_arg(optarg, 1, 1L << 30);
			break;
		case 'r':
			repeat = (int)num_arg(optarg, 1, 10000);
			break;
		case 'C':
			close_between = 1;
			break;
		case 'p':
			pause_ms = num_arg(optarg, 0, 600000);
			break;
		case 'b':
			print_body = 1;
			break;
		case 'L':
			reload_at = (int)num_arg(optarg, 1, 10000);
			break;
		case 'U':
			reload_crl = optarg;
			break;
		case 'Z':
			cc.reserved_node_cn = optarg;
			break;
		case 'S':
			cc.crl_stale_refuses_all = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 3)
		usage();
	if (cc.certificate_file != NULL) {
		if (cc.advertised_host == NULL)
			cc.advertised_host = "127.0.0.1";
		if (tls_creds_load(&cc, time(NULL), NULL, NULL, &creds, err,
				   sizeof err) != 0) {
			fprintf(stderr, "httpc_get: %s\n", err);
			return 2;
		}
		cfg.creds = creds;
	}
	c = httpc_new(&cfg, err, sizeof err);
	/* The client holds its own reference. */
	tls_creds_unref(creds);
	if (c == NULL) {
		fprintf(stderr, "httpc_get: %s\n", err);
		return 2;
	}
	for (int i = 1; i <= repeat; i++) {
		struct httpc_response resp;

		if (i > 1 && close_between)
			httpc_close_idle(c);
		if (i > 1 && pause_ms > 0) {
			struct timespec ts = {.tv_sec = pause_ms / 1000,
					      .tv_nsec =
						  pause_ms % 1000 * 1000000};
			while (nanosleep(&ts, &ts) != 0)
				;
		}
		if (i == reload_at && reload(c, &cc, reload_crl) != 0) {
			status = 2;
			break;
		}
		if (httpc_request(c, argv[optind],
				  (int)num_arg(argv[optind + 1], 0, 99999),
				  method, argv[optind + 2], ctype, data,
				  data ? strlen(data) : 0, timeout, &resp, err,
				  sizeof err) != 0) {
			printf("#%d error: %s\n", i, err);
			status = 1;
			continue;
		}
		printf("#%d status=%d reused=%d resumed=%d len=%zu type=%s\n",
		       i, resp.status, resp.conn_reused, resp.tls_resumed,
		       resp.body_len, resp.content_type);
		if (print_body)
			printf("%s\n", resp.body);
		httpc_response_free(&resp);
	}
	httpc_free(c);
	return status;
}
