# Kernel modules, sourced by build.sh. Dependencies are resolved at build time
# with `modprobe --show-depends` against the rootfs's /lib/modules.
# Loaded by the initramfs /init (busybox insmod, uncompressed, in dep order):
MODS_INITRAMFS="virtio_blk crc32c_generic ext4 overlay"
# Loaded by berth-boot with modprobe -a, three parallel groups:
# virtio_console: the serial port Berth's SSH link comes through (berth-ssh-serial).
MODS_NET="virtio_net virtio_console"
# The power button QEMU presses on system_powerdown: ACPI's on q35 (amd64); on arm64's virt machine (no
# ACPI without firmware) a key on its PL061 GPIO. busybox acpid reads either from the input events.
case ${ARCH:-amd64} in
arm64) MODS_ACPI="gpio_keys evdev" ;;
*) MODS_ACPI="button evdev" ;;
esac
# What dockerd (bridge driver, veth, xfrm netlink), our NAT rule and the
# host-only firewall (iptables-nft) would otherwise autoload one by one.
# br_netfilter is loaded by dockerd itself only with berth.dockeriptables=1.
MODS_DOCKER="bridge veth xfrm_user nf_tables nft_compat nft_chain_nat nft_masq nf_nat nf_conntrack xt_MASQUERADE xt_addrtype xt_conntrack xt_tcpudp"
# The shared folders' 9p client, loaded with the docker group before the hold.
MODS_SHARES="9p 9pnet_virtio"
# binfmt_misc, for the other architectures' interpreters (qemu-user), also with the docker group.
MODS_BINFMT="binfmt_misc"
# The memory balloon: with free-page reporting, memory the guest frees goes back to the host. With the docker group.
MODS_MEMORY="virtio_balloon"
