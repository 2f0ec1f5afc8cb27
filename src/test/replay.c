/* SPDX-License-Identifier: MIT */
/*
 * replay.c -- runs a libFuzzer target over files without libFuzzer
 * (SQLite fuzzcheck), so `make test` and `make check` replay the
 * committed corpus and every saved crasher under plain, ASan and UBSan
 * builds.  Arguments are files or directories (one level); a missing
 * directory is fine (no crashers yet).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	/* exact-size copy so ASan sees reads past the end */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, fail = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			fail |= replay_file(argv[i]) != 0;
			files++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			int len = snprintf(path, sizeof path, "%s/%s", argv[i],
					   e->d_name);
			if (len < 0 || (size_t)len >= sizeof path)
				continue;
			fail |= replay_file(path) != 0;
			files++;
		}
		if (d)
			closedir(d);
	}
	printf("replay %s: %d passed, %d failed\n", argc > 1 ? argv[1] : "",
	       files - fail, fail);
	return fail;
}
