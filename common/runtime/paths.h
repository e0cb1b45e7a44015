/* File-system paths the daemons create. */
#ifndef THUKY_PATHS_H
#define THUKY_PATHS_H

#include <sys/types.h>

/* mkdir -p: creates path and its missing parents with mode; 0 or -1 (errno). */
int paths_mkdir_p(const char *path, mode_t mode);
/* For an ipc:// endpoint, creates the directory its socket lives in. */
int paths_prepare_ipc(const char *endpoint);
/* fsyncs the directory that holds path, so a file created or renamed
 * there survives a power cut; 0 or -1 (errno). */
int paths_sync_dir(const char *path);
/* fsyncs the directory dir itself; 0 or -1 (errno). */
int paths_fsync_dir(const char *dir);

#endif
