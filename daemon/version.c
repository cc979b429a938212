/*
 * version: "gossipd version" and "gossipd --version": the version, how
 * this binary was built, and the libraries it runs with (versions
 * reported by the libraries themselves where they can, so that a shared
 * library upgraded under the binary shows).
 */
#include "version.h"

#include <cjson/cJSON.h>
#include <llhttp.h>
#include <mbedtls/version.h>
#include <microhttpd.h>
#include <nghttp2/nghttp2.h>
#include <protobuf-c/protobuf-c.h>
#include <yaml.h>

#ifndef GOSSIPD_BUILD_TYPE
#define GOSSIPD_BUILD_TYPE "unknown"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZERS "address"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZERS "address"
#endif
#endif
#ifndef SANITIZERS
#define SANITIZERS "none"
#endif

void
version_print(FILE *out)
{
	char mbed[32];

	mbedtls_version_get_string_full(mbed);
	fprintf(out, "gossipd %s\n", GOSSIPD_VERSION);
	fprintf(out,
		"build: %s, compiler %s, systemd yes (notify, watchdog), "
		"fortify %s, sanitizers %s\n",
		GOSSIPD_BUILD_TYPE, __VERSION__,
#ifdef _FORTIFY_SOURCE
		"yes",
#else
		"no",
#endif
		SANITIZERS);
	fprintf(out, "libraries:\n");
	fprintf(out, "  %s\n", mbed);
	fprintf(out, "  libmicrohttpd %s\n", MHD_get_version());
	fprintf(out, "  cJSON %s\n", cJSON_Version());
	fprintf(out, "  libyaml %s\n", yaml_get_version_string());
	fprintf(out, "  llhttp %d.%d.%d (built in)\n", LLHTTP_VERSION_MAJOR,
		LLHTTP_VERSION_MINOR, LLHTTP_VERSION_PATCH);
	fprintf(out, "  nghttp2 %s\n", nghttp2_version(0)->version_str);
	fprintf(out, "  protobuf-c %s\n", protobuf_c_version());
}
