/* l1spec.c - the L1 guest a collection run boots, as vmwrapper's VmSpec
 * (see topology.h): a pure function of the run's options. */
#include "topology.h"

void topology_l1_spec(const TopologyOptions *o, VmSpec *s)
{
    VmSpec l1 = {.type = VM_TYPE_L1, .id = o->l1_id, .nics = o->tenants,
                 .nic_model = VM_NIC_VIRTIO, .qemu = o->qemu, .image = o->l1_image,
                 .identity = o->identity, .state_root = o->state_root, .accel = "tcg",
                 .memory_mb = o->nested ? 2048 + 512 * o->tenants : 2048, .cpus = 2,
                 .extra = o->qemu_args, .ready_timeout_ms = o->boot_timeout_ms,
                 .share = o->share, .virtiofsd = o->virtiofsd,
                 .virtiofsd_args = o->virtiofsd_args};
    *s = l1;
}
