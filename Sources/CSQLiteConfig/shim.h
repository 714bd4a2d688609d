// sqlite3_config is variadic, which Swift cannot call: one fixed setting, wrapped.
#include <sqlite3.h>

// Turns off SQLite's memory statistics, whose global mutex every allocation takes
// (SQLITE_CONFIG_MEMSTATUS). Only before SQLite initialises; SQLITE_MISUSE after, harmlessly.
static inline int costwh_sqlite_without_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
