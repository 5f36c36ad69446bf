// The C side of RNNKit's libhdf5 layer: what Swift cannot import from hdf5.h (macros, version-mapped
// names, globals that are not concurrency-safe) as small static inline functions. Every function here
// is a thin wrapper; the HDF5 Swift module owns all policy.
#ifndef RNNKIT_CHDF5_SHIM_H
#define RNNKIT_CHDF5_SHIM_H

#include <fcntl.h>
#include <hdf5.h>
#include <stdint.h>
#include <string.h>

// MARK: - Constants (macros and library globals)

static inline hid_t rnk_p_default(void) { return H5P_DEFAULT; }
static inline hid_t rnk_s_all(void) { return H5S_ALL; }
static inline hid_t rnk_e_default(void) { return H5E_DEFAULT; }
static inline hid_t rnk_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t rnk_p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t rnk_p_link_access(void) { return H5P_LINK_ACCESS; }
static inline unsigned rnk_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned rnk_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned rnk_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned rnk_f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline size_t rnk_t_variable(void) { return H5T_VARIABLE; }

static inline hid_t rnk_t_c_s1(void) { return H5T_C_S1; }
static inline hid_t rnk_t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t rnk_t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t rnk_t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t rnk_t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t rnk_t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t rnk_t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t rnk_t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t rnk_t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t rnk_t_std_i64le(void) { return H5T_STD_I64LE; }

// MARK: - Errors

/// Turns off libhdf5's automatic error printing for the calling thread (it is per-thread state in a
/// thread-safe build) and clears any stale error stack.
static inline void rnk_silence_errors(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5Eclear2(H5E_DEFAULT);
}

// MARK: - Version-mapped calls

/// 0 hard, 1 soft, 2 external, 3 user-defined, -1 on failure (H5Lget_info / H5Lget_info2).
static inline int rnk_link_type(hid_t loc, const char *name, hid_t lapl) {
#if H5_VERSION_GE(1, 12, 0)
    H5L_info2_t info;
    if (H5Lget_info2(loc, name, &info, lapl) < 0) return -1;
#else
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, lapl) < 0) return -1;
#endif
    switch (info.type) {
    case H5L_TYPE_HARD: return 0;
    case H5L_TYPE_SOFT: return 1;
    case H5L_TYPE_EXTERNAL: return 2;
    default: return 3;
    }
}

/// Number of attributes on an open object, -1 on failure (H5Oget_info2 / H5Oget_info3).
static inline long long rnk_attribute_count(hid_t obj) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#endif
    return (long long)info.num_attrs;
}

/// Frees the strings libhdf5 allocated for a variable-length read (H5Dvlen_reclaim / H5Treclaim).
static inline herr_t rnk_vlen_reclaim(hid_t type, hid_t space, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

/// Writes an identity for an open object (its file number and address, or its token) into out[0..1]
/// so a tree walk can tell when hard links lead back to an object it has seen. 0 on success, -1 on failure.
static inline int rnk_object_identity(hid_t obj, uint64_t out[2]) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(obj, &info, H5O_INFO_BASIC) < 0) return -1;
    memset(out, 0, 2 * sizeof(uint64_t));
    memcpy(out, &info.token, sizeof(info.token) < 2 * sizeof(uint64_t) ? sizeof(info.token) : 2 * sizeof(uint64_t));
    out[1] ^= (uint64_t)info.fileno << 1;
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0) return -1;
    out[0] = (uint64_t)info.addr;
    out[1] = (uint64_t)info.fileno;
#endif
    return 0;
}

// MARK: - Safety

/// External-link traversal callback that always refuses: a model file never makes us open another file.
static herr_t rnk_refuse_external_link(const char *parent_file, const char *parent_group, const char *child_file,
                                       const char *child_object, unsigned *acc_flags, hid_t fapl, void *data) {
    (void)parent_file; (void)parent_group; (void)child_file; (void)child_object;
    (void)acc_flags; (void)fapl; (void)data;
    return -1;
}

/// A file-access property list, optionally using the in-memory (core) driver without a backing file.
/// Returns a new property list to close with H5Pclose, or -1.
static inline hid_t rnk_file_access_plist(int in_memory, size_t increment) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    if (in_memory && H5Pset_fapl_core(fapl, increment, 0) < 0) { H5Pclose(fapl); return -1; }
    return fapl;
}

/// Turns libhdf5's file lock off for files opened with this property list (libhdf5 1.10.7 and later; a no-op
/// before). Returns 0, or -1 on failure.
static inline int rnk_file_access_without_lock(hid_t fapl) {
#if H5_VERSION_GE(1, 10, 7)
    return H5Pset_file_locking(fapl, 0, 1) < 0 ? -1 : 0;
#else
    (void)fapl;
    return 0;
#endif
}

/// Marks an on-disk file's descriptor close-on-exec (libhdf5's sec2 driver opens without O_CLOEXEC), so
/// that a process the host spawns while the file is open does not inherit it, and with it the file's
/// lock: libhdf5 locks files with flock, and an inherited descriptor keeps the lock after we close ours.
/// Returns 0, or -1 when the descriptor cannot be had or changed.
static inline int rnk_file_close_on_exec(hid_t file) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == NULL) return -1;
    int descriptor = *(int *)handle;
    int flags = fcntl(descriptor, F_GETFD);
    if (flags < 0 || fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) < 0) return -1;
    return 0;
}

/// A link-access property list that refuses external links (for object opens by path).
static inline hid_t rnk_link_access_plist(void) {
    hid_t lapl = H5Pcreate(H5P_LINK_ACCESS);
    if (lapl < 0) return -1;
    if (H5Pset_elink_cb(lapl, rnk_refuse_external_link, NULL) < 0) { H5Pclose(lapl); return -1; }
    return lapl;
}

/// A link-creation property list that creates missing intermediate groups.
static inline hid_t rnk_intermediate_groups_plist(void) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl < 0) return -1;
    if (H5Pset_create_intermediate_group(lcpl, 1) < 0) { H5Pclose(lcpl); return -1; }
    return lcpl;
}

/// 1 when a dataset's storage is a plain part of this file (contiguous, chunked or compact, no external
/// raw-data files), 0 when it is virtual or external, -1 on failure.
static inline int rnk_dataset_storage_is_internal(hid_t dset) {
    hid_t dcpl = H5Dget_create_plist(dset);
    if (dcpl < 0) return -1;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    int external = H5Pget_external_count(dcpl);
    H5Pclose(dcpl);
    if (layout < 0 || external < 0) return -1;
    if (layout == H5D_VIRTUAL || external > 0) return 0;
    return 1;
}

/// 0 contiguous, 1 chunked, 2 compact, 3 virtual, -1 on failure.
static inline int rnk_dataset_layout(hid_t dset) {
    hid_t dcpl = H5Dget_create_plist(dset);
    if (dcpl < 0) return -1;
    H5D_layout_t layout = H5Pget_layout(dcpl);
    H5Pclose(dcpl);
    switch (layout) {
    case H5D_CONTIGUOUS: return 0;
    case H5D_CHUNKED: return 1;
    case H5D_COMPACT: return 2;
    case H5D_VIRTUAL: return 3;
    default: return -1;
    }
}

/// Number of filters (compression and the like) on a dataset, -1 on failure.
static inline int rnk_dataset_filter_count(hid_t dset) {
    hid_t dcpl = H5Dget_create_plist(dset);
    if (dcpl < 0) return -1;
    int filters = H5Pget_nfilters(dcpl);
    H5Pclose(dcpl);
    return filters;
}

#endif
