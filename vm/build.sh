#!/bin/bash
# Build the Berth guest VM image from Debian trixie packages.
#   sudo vm/build.sh [--arch amd64|arm64] OUTDIR
# Produces OUTDIR/{vmlinux or Image,initrd.img,base.img,manifest.json}; see vm/README.md.
# Needs (host, root): mmdebstrap, e2fsprogs (>= 1.43 for mkfs -d), cpio, zstd, kmod; for another
# architecture than the host's also that architecture's qemu-system (its packages are configured in a guest).
# Dev shortcut: BERTH_ROOTFS_TAR=file.tar reuses a tarball produced by an
# earlier run (BERTH_KEEP_ROOTFS_TAR=file.tar saves one); never used for releases.
set -euo pipefail

HOST_ARCH=$(dpkg --print-architecture)
ARCH=$HOST_ARCH
if [ "${1:-}" = --arch ]; then
	ARCH=${2:?usage: build.sh [--arch amd64|arm64] OUTDIR}
	shift 2
fi
OUT=${1:?usage: build.sh [--arch amd64|arm64] OUTDIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Per architecture: the kernel's machine name, QEMU's machine and console for the configuring guest, and
# the kernel file the host boots (amd64: the ELF inside the bzImage; arm64: the Image, booted as it is).
case $ARCH in
amd64) KMACHINE=x86_64 QEMU_MACHINE=q35 CONSOLE=ttyS0 KERNEL_FILE=vmlinux ;;
arm64) KMACHINE=aarch64 QEMU_MACHINE=virt CONSOLE=ttyAMA0 KERNEL_FILE=Image ;;
*) echo "build: no guest for architecture '$ARCH' (amd64 or arm64)" >&2; exit 1 ;;
esac
SUITE=trixie
MIRROR=${BERTH_MIRROR:-http://deb.debian.org/debian}
START=$(date +%s)

phase() { printf '[berth-build %3ss] %s\n' $(($(date +%s) - START)) "$*"; }

[ "$(id -u)" = 0 ] || { echo "build.sh must run as root (mmdebstrap root mode)" >&2; exit 1; }
TOOLS="mmdebstrap mkfs.ext4 cpio zstd depmod modprobe"
[ "$ARCH" = "$HOST_ARCH" ] || TOOLS="$TOOLS qemu-system-$KMACHINE ar"
for t in $TOOLS; do
	command -v $t >/dev/null || { echo "missing host tool: $t" >&2; exit 1; }
done

OUT=$(realpath -m "$OUT")
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d /var/tmp/berth-build.XXXXXX)
STAGE=$(mktemp -d "$(dirname "$OUT")/.berth-stage.XXXXXX")
cleanup() { rm -rf "$WORK" "$STAGE"; }
trap cleanup EXIT
R=$WORK/rootfs

# Packages installed into the base image (no recommends). qemu-user: trixie's static qemu-user interpreters
# (its qemu-user-static is now a transitional package pointing there).
PKGS=docker.io,docker-cli,docker-compose,docker-buildx,containerd,runc,tini,openssh-server,iptables,kmod,ca-certificates,linux-image-$ARCH,e2fsprogs,busybox-static,socat,dnsmasq-base,qemu-user
# The architectures whose qemu-user interpreter the guest keeps and registers (the platforms Docker's official
# images are built for, but the guest's own; 386 runs natively on amd64). qemu-user ships ~40 interpreters,
# 465 MB; these are ~75 MB.
case $ARCH in
amd64) QEMU_ARCHS="aarch64 arm riscv64 ppc64le s390x" ;;
arm64) QEMU_ARCHS="x86_64 i386 arm riscv64 ppc64le s390x" ;;
esac
# The docker CLI plugins the host gets from the image (OUT/cli-plugins).
CLI_PLUGINS="docker-compose docker-buildx"

# ------------------------------------------------------------------ rootfs
DPKG_FILTERS=(
	'path-exclude=/usr/share/man/*'
	'path-exclude=/usr/share/locale/*'
	'path-exclude=/usr/share/info/*'
	'path-exclude=/usr/share/doc/*'
	'path-include=/usr/share/doc/*/copyright'
	'path-exclude=/usr/share/lintian/*'
)
DPKG_OPTS=("${DPKG_FILTERS[@]/#/--dpkgopt=}")

# finish_in_guest: the maintainer scripts of another architecture's packages need its programs to run, and
# this host has no binfmt_misc for qemu-user. So the unpacked root boots in a guest of its own architecture
# (QEMU emulating it, a kernel from the root itself, busybox from it as initramfs) that installs the
# packages (foreign/configure) and writes the configured root back as a tar stream on a second disk.
finish_in_guest() {
	local G=$WORK/guest kver f b size
	kver=$(ls "$R/lib/modules" | sort -V | tail -n 1)
	mkdir -p "$G/initramfs"/{bin,dev,proc,sys,lib/modules}
	depmod -b "$R" "$kver"
	cp "$R/bin/busybox" "$G/initramfs/bin/busybox"
	for a in sh mount umount insmod mkdir usleep chroot poweroff sync rm echo; do ln -s busybox "$G/initramfs/bin/$a"; done
	mknod -m 600 "$G/initramfs/dev/console" c 5 1
	for m in virtio_blk ext4; do modprobe -d "$R" -S "$kver" --show-depends "$m" | awk '$1=="insmod"{print $2}'; done |
		awk '!seen[$0]++' | while read -r f; do
		b=$(basename "$f" .xz)
		case "$f" in *.xz) xz -dc "$f" >"$G/initramfs/lib/modules/$b" ;; *) cp "$f" "$G/initramfs/lib/modules/$b" ;; esac
		echo "$b" >>"$G/initramfs/lib/modules/modules.order"
	done
	install -m 755 "$HERE/foreign/init" "$G/initramfs/init"
	(cd "$G/initramfs" && find . -mindepth 1 | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$G/initrd.img"
	# Every minute of the guest's work is many of the host's. A package without a pre-installation script
	# runs none of its programs when unpacked: the host's dpkg unpacks those into the root. The guest
	# unpacks the others (the essential ones first) and configures everything (foreign/configure).
	local on_host=() essential=() rest=()
	for f in "$R"/var/cache/apt/archives/*.deb; do
		if ! dpkg-deb --ctrl-tarfile "$f" | tar -t | grep -x './preinst' >/dev/null; then
			on_host+=("$f")
		elif [ "$(dpkg-deb -f "$f" Essential)" = yes ]; then
			essential+=("$(basename "$f")")
		else
			rest+=("$(basename "$f")")
		fi
		[ "$(dpkg-deb -f "$f" Essential)" = yes ] && dpkg-deb -f "$f" Package >>"$R/berth-essential"
	done
	dpkg --root="$R" --force-architecture --force-depends --force-unsafe-io "${DPKG_FILTERS[@]/#/--}" --unpack "${on_host[@]}" \
		>"$G/host-unpack.log" 2>&1 || { tail -n 40 "$G/host-unpack.log" >&2; exit 1; }
	rm -f "${on_host[@]}"
	printf '%s\n' "${essential[@]}" "${rest[@]}" >"$R/berth-unpack"
	# The guest's packages are stored uncompressed: decompressing is plain CPU work, many times slower there.
	for f in "$R"/var/cache/apt/archives/*.deb; do
		(
			cd "$(mktemp -d "$G/deb.XXXXXX")"
			ar x "$f"
			case $(echo data.tar*) in
			data.tar.xz) xz -dq data.tar.xz ;;
			data.tar.zst) zstd -dq --rm data.tar.zst ;;
			data.tar.gz) gzip -dq data.tar.gz ;;
			esac
			ar rc "$f.new" debian-binary control.tar.* data.tar
			mv "$f.new" "$f"
			cd / && rm -rf "$OLDPWD"
		)
	done
	install -m 644 "$HERE/foreign/configure" "$R/berth-configure"
	size=$(($(du -sm --apparent-size "$R" | cut -f1) * 2 + 1024))
	mkfs.ext4 -q -F -m 0 -O ^has_journal -E root_owner=0:0 -d "$R" "$G/root.img" "${size}M"
	truncate -s "${size}M" "$G/out.tar"
	local accel=(-machine "$QEMU_MACHINE" -accel tcg,thread=multi -cpu max)
	# Pointer authentication as QEMU's own cheap algorithm: the architected one costs much under emulation.
	[ "$ARCH" = arm64 ] && accel=(-machine virt -accel tcg,thread=multi -cpu max,pauth-impdef=on)
	timeout 3600 "qemu-system-$KMACHINE" "${accel[@]}" -smp "$(nproc)" -m 2048 -nodefaults -no-user-config \
		-display none -no-reboot -serial stdio -device virtio-rng-pci \
		-kernel "$R/boot/vmlinuz-$kver" -initrd "$G/initrd.img" -append "console=$CONSOLE panic=-1 mitigations=off quiet" \
		-drive "file=$G/root.img,format=raw,if=virtio,cache=unsafe" -drive "file=$G/out.tar,format=raw,if=virtio,cache=unsafe" </dev/null |
		tee "$G/console.log" | while IFS= read -r line; do
		case "$line" in berth-foreign:*) phase "rootfs: $ARCH guest: ${line#berth-foreign: }" ;; esac
	done
	grep -q '^berth-foreign: done' "$G/console.log" || {
		tail -n 40 "$G/console.log" >&2
		echo "build: configuring the $ARCH packages in a guest failed (console above)" >&2
		exit 1
	}
	rm -rf "$R" "$G/root.img"
	mkdir "$R"
	tar -C "$R" --numeric-owner --xattrs --xattrs-include='*' -xpf "$G/out.tar"
	rm -f "$G/out.tar"
	[ -d "$R/usr/lib/modules" ] || { echo "build: the $ARCH guest handed back no root" >&2; exit 1; }
}

if [ -n "${BERTH_ROOTFS_TAR:-}" ]; then
	phase "rootfs: reusing $BERTH_ROOTFS_TAR"
	mkdir -p "$R" && tar -C "$R" -xf "$BERTH_ROOTFS_TAR"
elif [ "$ARCH" = "$HOST_ARCH" ]; then
	phase "rootfs: mmdebstrap $SUITE minbase ($PKGS)"
	mmdebstrap --quiet --variant=minbase --mode=root \
		--aptopt='APT::Install-Recommends "false"' "${DPKG_OPTS[@]}" \
		--include="$PKGS" \
		"$SUITE" "$R" "$MIRROR"
else
	phase "rootfs: mmdebstrap $SUITE $ARCH, unpacked only (essential, apt, $PKGS)"
	mmdebstrap --quiet --variant=extract --mode=root --architectures="$ARCH" \
		--aptopt='APT::Install-Recommends "false"' "${DPKG_OPTS[@]}" \
		--include='?essential' --include="apt,$PKGS" \
		--skip=cleanup/apt/cache \
		"$SUITE" "$R" "$MIRROR"
	finish_in_guest
fi
if [ -n "${BERTH_KEEP_ROOTFS_TAR:-}" ] && [ -z "${BERTH_ROOTFS_TAR:-}" ]; then tar -C "$R" -cf "$BERTH_KEEP_ROOTFS_TAR" .; fi

KVER=$(ls "$R/lib/modules" | sort -V | tail -n 1)
MODDIR=$R/lib/modules/$KVER
phase "kernel $KVER ($ARCH)"
BZ=$R/boot/vmlinuz-$KVER
if [ "$ARCH" = arm64 ]; then
	# QEMU's virt machine boots the arm64 Image directly (no firmware); Debian's is not compressed.
	[ "$(od -An -tx1 -j 56 -N4 "$BZ" | tr -d ' ')" = 41524d64 ] || { echo "build: $BZ is not an arm64 Image" >&2; exit 1; }
	cp "$BZ" "$STAGE/Image"
else
# QEMU boots an ELF kernel through its PVH entry point: no real-mode set-up and no decompression in
# the guest, about 0.8 s less under TCG. The ELF is the bzImage's payload, which the boot header
# locates (setup sectors, payload offset and length; the last 4 bytes are the unpacked size).
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
SETUP=$(od -An -tu1 -j 497 -N1 "$BZ" | tr -d ' ')
[ "$SETUP" = 0 ] && SETUP=4
PAYLOAD=$(( (SETUP + 1) * 512 + $(u32 "$BZ" 584) ))
case $(od -An -tx1 -j "$PAYLOAD" -N4 "$BZ" | tr -d ' ') in
	28b52ffd) UNPACK="zstd -dq" ;;
	fd377a58) UNPACK="xz -dcq" ;;
	1f8b*) UNPACK="gzip -dcq" ;;
	*) echo "build: unknown compression in $BZ" >&2; exit 1 ;;
esac
dd if="$BZ" iflag=skip_bytes,count_bytes skip="$PAYLOAD" count=$(($(u32 "$BZ" 588) - 4)) status=none | $UNPACK >"$STAGE/vmlinux"
[ "$(head -c 4 "$STAGE/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || { echo "build: $BZ did not unpack to an ELF kernel" >&2; exit 1; }
fi

# ------------------------------------------------------------------ manifest
phase "manifest"
pkgver() { dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Version}' "$1"; }
{
	printf '{\n  "arch": "%s",\n' "$ARCH"
	printf '  "kernel": "%s",\n' "$KVER"
	printf '  "docker": "%s",\n' "$(pkgver docker.io)"
	printf '  "containerd": "%s",\n' "$(pkgver containerd)"
	printf '  "runc": "%s",\n' "$(pkgver runc)"
	printf '  "compose": "%s",\n' "$(pkgver docker-compose)"
	printf '  "buildx": "%s",\n' "$(pkgver docker-buildx)"
	printf '  "qemuUser": "%s",\n' "$(pkgver qemu-user)"
	printf '  "qemuArchs": "%s",\n' "$QEMU_ARCHS"
	# Each plugin as its package and the file's digest: the host copies a plugin only when it changed.
	printf '  "cliPlugins": {\n'
	sep=
	for p in $CLI_PLUGINS; do
		f=$R/usr/libexec/docker/cli-plugins/$p
		printf '%s    "%s": { "package": "%s", "version": "%s", "sha256": "%s", "size": %s }' "$sep" "$p" "$p" "$(pkgver "$p")" \
			"$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")"
		sep=$',\n'
	done
	printf '\n  },\n'
	printf '  "suite": "%s",\n' "$SUITE"
	printf '  "builtAt": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf '  "packages": {\n'
	first=1
	for p in linux-image-$KVER docker.io docker-cli docker-compose docker-buildx containerd runc tini openssh-server iptables kmod e2fsprogs busybox-static dnsmasq-base qemu-user ca-certificates libc6; do
		v=$(pkgver "$p" 2>/dev/null) || continue
		[ $first = 1 ] || printf ',\n'
		first=0
		printf '    "%s": "%s"' "$p" "$v"
	done
	printf '\n  }\n}\n'
} >"$WORK/manifest.json"

# strip_sig FILE.ko: drop the appended module signature. Unsigned modules load
# fine (no sig_enforce, no lockdown without secure boot) and skip the RSA +
# SHA verification, which is slow under TCG. Taints the kernel ("E").
strip_sig() {
	local f=$1 size marker siglen
	size=$(stat -c %s "$f")
	marker=$(tail -c 28 "$f" | tr -d '\n')
	[ "$marker" = "~Module signature appended~" ] || return 0
	siglen=$(tail -c 32 "$f" | head -c 4 | od -An -tu1 | awk '{print $1*16777216+$2*65536+$3*256+$4}')
	truncate -s $((size - 28 - 12 - siglen)) "$f"
}

# ------------------------------------------------------------------ customise rootfs
phase "rootfs: customise"
# Modules: drop hardware a qemu guest never has, keep everything else.
for d in drivers/gpu drivers/media drivers/infiniband drivers/iio drivers/staging drivers/comedi \
	drivers/usb drivers/net/wireless drivers/net/ethernet drivers/bluetooth drivers/hid drivers/isdn \
	drivers/scsi drivers/ata drivers/mtd drivers/hwmon drivers/platform drivers/video drivers/thunderbolt \
	drivers/nfc drivers/net/can drivers/net/usb drivers/firewire drivers/leds drivers/misc drivers/mfd \
	drivers/power drivers/watchdog drivers/edac drivers/pinctrl drivers/gpio drivers/i2c drivers/spi \
	drivers/fpga drivers/hte drivers/accel drivers/net/wwan drivers/net/ieee802154 \
	sound net/wireless net/bluetooth net/mac80211 net/nfc net/ieee802154 net/mac802154 \
	fs/ocfs2 fs/gfs2 fs/xfs fs/btrfs fs/bcachefs fs/jfs fs/nilfs2 fs/f2fs fs/ubifs fs/orangefs fs/afs \
	fs/ceph fs/smb fs/nfs fs/nfsd fs/dlm; do
	rm -rf "${MODDIR:?}/kernel/$d"
done
# Decompress the modules we load at every boot: saves in-kernel xz work under TCG.
# shellcheck source=modules.sh
. "$HERE/modules.sh"
depmod -b "$R" "$KVER"
for m in $MODS_INITRAMFS $MODS_NET $MODS_ACPI $MODS_DOCKER $MODS_SHARES $MODS_BINFMT $MODS_MEMORY; do
	modprobe -d "$R" -S "$KVER" --show-depends "$m" >/dev/null 2>&1 ||
		{ echo "module $m not found in $KVER" >&2; exit 1; }
done
for m in $MODS_NET $MODS_ACPI $MODS_DOCKER $MODS_SHARES $MODS_BINFMT $MODS_MEMORY; do
	modprobe -d "$R" -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
done | sort -u | while read -r f; do
	case "$f" in *.ko.xz) xz -d "$f" && strip_sig "${f%.xz}" ;; esac
done
depmod -b "$R" "$KVER"
mkdir -p "$R/etc/berth"
echo "$MODS_NET" >"$R/etc/berth/modules-net"
echo "$MODS_ACPI" >"$R/etc/berth/modules-acpi"
echo "$MODS_DOCKER" >"$R/etc/berth/modules-docker"
echo "$MODS_SHARES" >"$R/etc/berth/modules-shares"
echo "$MODS_BINFMT" >"$R/etc/berth/modules-binfmt"
echo "$MODS_MEMORY" >"$R/etc/berth/modules-memory"

# The CLI plugins, exported beside the image for the host (Linux on amd64 runs them as they are).
mkdir -p "$STAGE/cli-plugins"
for p in $CLI_PLUGINS; do
	install -m 755 "$R/usr/libexec/docker/cli-plugins/$p" "$STAGE/cli-plugins/$p"
done

# qemu-user: only the interpreters of QEMU_ARCHS, with their binfmt_misc rules (berth-boot registers them)
# and the links that lead to them (qemu-arm64, qemu-armhf, the binfmt-P names); nothing else.
keep_qemu() { # PATH: true when it is or leads to a kept interpreter or rule
	local t
	t=$(basename "$(readlink -f "$1")")
	for a in $QEMU_ARCHS; do
		case "$t" in "qemu-$a" | "qemu-$a.conf") return 0 ;; esac
	done
	return 1
}
for f in "$R"/usr/bin/qemu-* "$R"/usr/libexec/qemu-binfmt/* "$R"/usr/share/qemu/binfmt.d/* "$R"/usr/lib/binfmt.d/qemu-*; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	keep_qemu "$f" || rm -f "$f"
done
for a in $QEMU_ARCHS; do
	[ -x "$R/usr/bin/qemu-$a" ] && [ -s "$R/usr/share/qemu/binfmt.d/qemu-$a.conf" ] ||
		{ echo "build: qemu-user has no interpreter or binfmt rule for $a" >&2; exit 1; }
done

# Our files (init scripts, sshd/docker/containerd config, acpid action).
cp -a "$HERE/rootfs/." "$R/"
chmod 755 "$R"/usr/local/sbin/*
# busybox applets the boot scripts use that Debian minbase lacks.
for a in usleep acpid ip netstat pidof poweroff reboot halt nc wget ifconfig route; do
	[ -e "$R/usr/bin/$a" ] || [ -e "$R/usr/sbin/$a" ] || [ -e "$R/bin/$a" ] || [ -e "$R/sbin/$a" ] ||
		ln -sf /bin/busybox "$R/usr/local/bin/$a"
done
# No baked keys, no caches, no kernel/initrd copies, no docs.
rm -f "$R"/etc/ssh/ssh_host_* "$R"/boot/initrd.img* "$R"/boot/vmlinuz* "$R"/boot/System.map*
rm -rf "$R"/var/cache/apt/* "$R"/var/lib/apt/lists/* "$R"/var/log/* "$R"/usr/share/man "$R"/usr/share/info \
	"$R"/var/cache/debconf/*-old "$R"/var/lib/dpkg/*-old "$R"/etc/machine-id "$R"/var/lib/dbus/machine-id \
	"$R"/usr/share/initramfs-tools "$R"/etc/initramfs-tools "$R"/var/lib/initramfs-tools
: >"$R/etc/machine-id"
: >"$R/etc/resolv.conf"
echo berth >"$R/etc/hostname"
# Root: no password, key-only (a '*' hash is not "locked" for sshd).
usermod -R "$R" -p '*' root
# Root's home is not /root: the host's home folder may be shared there (berth-boot makes this one).
usermod -R "$R" -d /run/berth/home root
# /run/guest-services: extension backends' sockets, one folder per extension (the host makes those).
mkdir -p "$R/mnt/data" "$R/var/lib/docker" "$R/var/lib/containerd" "$R/run/sshd" "$R/run/guest-services"
# iptables backend (see README): nft is trixie's default.
update-alternatives --root "$R" --quiet --set iptables /usr/sbin/iptables-${BERTH_IPTABLES:-nft}
update-alternatives --root "$R" --quiet --set ip6tables /usr/sbin/ip6tables-${BERTH_IPTABLES:-nft}

# ------------------------------------------------------------------ initramfs
phase "initramfs"
I=$WORK/initramfs
mkdir -p "$I"/{bin,dev,proc,sys,lib/modules}
cp "$R/bin/busybox" "$I/bin/busybox"
for a in sh mount insmod switch_root mkdir sleep usleep echo cat; do ln -s busybox "$I/bin/$a"; done
mknod -m 600 "$I/dev/console" c 5 1
mknod -m 666 "$I/dev/null" c 1 3
: >"$I/lib/modules/modules.order"
for m in $MODS_INITRAMFS; do
	modprobe -d "$R" -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | awk '!seen[$0]++' | while read -r f; do
	b=$(basename "$f")
	b=${b%.xz}
	case "$f" in
	*.ko.xz) xz -dc "$f" >"$I/lib/modules/$b" ;;
	*) cp "$f" "$I/lib/modules/$b" ;;
	esac
	strip_sig "$I/lib/modules/$b"
	echo "$b" >>"$I/lib/modules/modules.order"
done
install -m 755 "$HERE/initramfs/init" "$I/init"
(cd "$I" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) |
	zstd -q -19 -T0 >"$STAGE/initrd.img"

# ------------------------------------------------------------------ base.img
phase "base.img: mkfs.ext4 -d"
kb=$(du -sk --apparent-size "$R" | cut -f1)
size_mb=$(((kb * 115 / 100) / 1024 + 64))
mkfs.ext4 -q -F -L berth-base -m 0 -O ^has_journal -E root_owner=0:0 \
	-d "$R" "$STAGE/base.img" "${size_mb}M"
cp "$WORK/manifest.json" "$STAGE/manifest.json"

# ------------------------------------------------------------------ publish atomically
phase "publish -> $OUT"
sync
if [ -e "$OUT" ]; then
	OLD=$(mktemp -d "$(dirname "$OUT")/.berth-old.XXXXXX")
	mv "$OUT" "$OLD/"
	mv "$STAGE" "$OUT"
	rm -rf "$OLD"
else
	mv "$STAGE" "$OUT"
fi
chmod 755 "$OUT"
ls -la "$OUT"
phase "done in $(($(date +%s) - START))s"
