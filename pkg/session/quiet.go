package session

// TensorFlow's C++ logging prints notices (oneDNN, CPU features, MLIR)
// while the library loads and on the first session. Its minimum level,
// TF_CPP_MIN_LOG_LEVEL, is read once, at the first message, and on CPUs
// where oneDNN is on by default that message comes from the library's own
// static initialisers, before any Go code runs, so a Go os.Setenv is too
// late. The function below runs from the executable's preinit array: the
// dynamic loader calls it after mapping the libraries and before any of
// their initialisers (and before libc's, which is why it cannot simply
// setenv: libc's start-up resets the environment to the original array).
// If the user set no level and did not pass --verbose, it re-executes the
// program at once with TF_CPP_MIN_LOG_LEVEL=2 added; nothing has run yet,
// so the cost is one more mapping of the libraries.

/*
#include <string.h>
#include <unistd.h>

static const char pix2pix_quiet_env[] = "TF_CPP_MIN_LOG_LEVEL=2";

static void pix2pix_quiet_tensorflow(int argc, char **argv, char **envp) {
	int n = 0;
	for (char **e = envp; e != NULL && *e != NULL; e++, n++) {
		if (strncmp(*e, "TF_CPP_MIN_LOG_LEVEL=", 21) == 0) return;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i] != NULL && strcmp(argv[i], "--verbose") == 0) return;
	}
	char *env[n + 2];
	for (int i = 0; i < n; i++) env[i] = envp[i];
	env[n] = (char *)pix2pix_quiet_env;
	env[n + 1] = NULL;
	execve("/proc/self/exe", argv, env);
	// On failure, carry on with TensorFlow's default level.
}

__attribute__((section(".preinit_array"), used))
static void (*pix2pix_preinit)(int, char **, char **) = pix2pix_quiet_tensorflow;
*/
import "C"

// VerboseFlag is the command-line flag that keeps TensorFlow's own log
// level (the preinit function above looks for it in argv).
const VerboseFlag = "verbose"
