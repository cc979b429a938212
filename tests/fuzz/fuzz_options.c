/*
 * Fuzz target: the YAML option loader. The input is the configuration
 * file, handed to options_load() through an in-memory file, exactly as
 * --config would read it from disk.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	char *argv[3];
	char *envp[] = {NULL};
	struct opt_cli cli = {0};
	struct gossipd_config *cfg;
	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	argv[0] = "--config";
	argv[1] = path;
	argv[2] = NULL;
	cfg = options_load(2, argv, envp, &cli, err, sizeof(err));
	options_free(cfg);
	close(fd);
	return 0;
}
