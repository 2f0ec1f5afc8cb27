/* SPDX-License-Identifier: MIT */
/*
 * cmd_redact.h -- the `sfblog redact` command (cmd_redact.c), called by
 * main.c with argv[0] = "redact".  CLI code: prints, never exits.
 */
#ifndef SFB_CMD_REDACT_H
#define SFB_CMD_REDACT_H

/* @return the exit code: 0 done, 2 error */
int cmd_redact_main(int argc, char **argv);

#endif
