// SPDX-License-Identifier: GPL-2.0
/*
 * e2e-poweroff: end the guest (tools/e2e/init.sh runs it last, as PID 1),
 * without depending on the host's init system's poweroff command.
 */
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	sync();
	reboot(RB_POWER_OFF);
	perror("e2e-poweroff: reboot");
	return 1;
}
