// The base image recipe: which Debian packages and kernel modules every lab VM gets.
// Overlays add to both (their manifests list `packages` and `modules`).

export const DEBIAN_SUITE = 'trixie';

/** The kernel and the static busybox that stage 1 (the initramfs) runs on. */
export const KERNEL_PACKAGES = ['linux-image-cloud-amd64', 'busybox-static'];

/** Userland of every VM: small, but enough to debug a network by hand. */
export const BASE_PACKAGES = [
  'busybox',
  'iproute2',
  'iputils-ping',
  'dropbear-bin',
  'kmod',
  'jq',
  'procps',
  'ethtool',
  'tcpdump',
  'netcat-openbsd',
  'ca-certificates',
];

/**
 * Loaded by stage 1 from the initramfs: what mounting the layers needs, plus virtio_rng (the
 * kernel's entropy pool is ready seconds sooner, and key tools block until it is) and
 * virtio_net (busybox loads it faster than kmod would later under TCG).
 */
export const STAGE1_MODULES = ['virtio_blk', 'squashfs', 'overlay', 'virtio_rng', 'virtio_net'];

/** Directories the rootfs must have as mount points or writable places. */
export const ROOTFS_DIRS = [
  'proc',
  'sys',
  'dev',
  'run',
  'tmp',
  'root',
  'var/log',
  'var/tmp',
  'etc/lab/units',
  'lab',
];

/** Debian's merged /usr: the extract variant skips the postinst that makes these links. */
export const USRMERGE_LINKS: [string, string][] = [
  ['bin', 'usr/bin'],
  ['sbin', 'usr/sbin'],
  ['lib', 'usr/lib'],
  ['lib64', 'usr/lib64'],
];

/** /var/run and /var/lock live in /run, as on Debian (CNI plugins expect /var/run/netns). */
export const RUN_LINKS: [string, string][] = [
  ['var/run', '../run'],
  ['var/lock', '../run/lock'],
];

export const ETC_FILES: Record<string, string> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  'etc/group': 'root:x:0:\nnogroup:x:65534:\n',
  'etc/shadow': 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n',
  'etc/shells': '/bin/sh\n',
  'etc/nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n',
  'etc/profile':
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1="\\h:\\w# "\n',
};
