// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE) are macros over the addresses of its
// globals, which Swift cannot import: these inline functions hand them to Swift.
#include <mpi.h>

static inline MPI_Comm wm_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype wm_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Op wm_mpi_sum(void) { return MPI_SUM; }
static inline void *wm_mpi_in_place(void) { return MPI_IN_PLACE; }
