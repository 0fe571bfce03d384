#!/bin/bash
# Install the Debian 12 packages nestvisor needs to build and test.
#   scripts/deps.sh      silent and exit 0 when everything is present;
#                        as root: apt-get update once, then install what is missing;
#                        otherwise: print the install command and exit 1.
# Needs only bash, dpkg-query and apt-get (a fresh CI machine may lack make and gcc).
set -euo pipefail

packages=(
	gcc make binutils libc6-dev  # host tests and the EFI build (ld, objcopy)
	nasm                         # entry stubs and trampolines
	gnu-efi                      # crt0, linker script, libefi/libgnuefi
	mtools                       # mformat/mmd/mcopy build the FAT boot image
	ovmf                         # /usr/share/ovmf/OVMF.fd for both emulators
	qemu-system-x86              # fast boot-path runs (TCG) and kvm runs
	bochs bochsbios              # VMX runs (bochs-bin, plugins)
	vgabios                      # Bochs' VGA ROM; bochs accepts seabios instead, which lacks it
	python3                      # test/run.py
)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: install them as root, e.g.:" >&2
	echo "  sudo apt-get update && sudo ${install[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive "${install[@]}"
