//! Thread control block capabilities: the `seL4_TCB_*` invocations of the
//! non-MCS API.

use super::invoke;
use crate::{CNode, CPtr, Error};
use sel4_abi::invocation as inv;
use sel4_abi::{UserContext, USER_CONTEXT_WORDS};

/// A TCB capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcb(pub CPtr);

impl Tcb {
    /// Corresponds to `seL4_TCB_ReadRegisters`: the first `count` words of
    /// the thread's [`UserContext`] (the rest read as 0).
    pub fn read_registers(&self, suspend_source: bool, arch_flags: u8, count: u64) -> Result<UserContext, Error> {
        use inv::tcb_read_registers as a;
        use inv::register_flags;
        let mut mr = [0u64; a::LENGTH];
        mr[a::FLAGS] = register_flags::pack(suspend_source, arch_flags);
        mr[a::COUNT] = count;
        let r = invoke(self.0, a::LABEL, &mr, &[])?;
        let n = (r.info.length() as usize).min(USER_CONTEXT_WORDS);
        let mut w = [0u64; USER_CONTEXT_WORDS];
        for (i, v) in w.iter_mut().enumerate().take(n) {
            *v = r.mr(i);
        }
        Ok(UserContext::from_words(&w))
    }

    /// Corresponds to `seL4_TCB_WriteRegisters`: writes the first `count`
    /// words of `regs`. Like the stub, all 20 words travel in the message.
    pub fn write_registers(&self, resume_target: bool, arch_flags: u8, count: u64, regs: &UserContext) -> Result<(), Error> {
        use inv::tcb_write_registers as a;
        use inv::register_flags;
        let mut mr = [0u64; a::REGS + USER_CONTEXT_WORDS];
        mr[a::FLAGS] = register_flags::pack(resume_target, arch_flags);
        mr[a::COUNT] = count;
        mr[a::REGS..].copy_from_slice(&regs.as_words());
        invoke(self.0, a::LABEL, &mr, &[]).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_CopyRegisters`: this TCB is the destination.
    #[allow(clippy::too_many_arguments)]
    pub fn copy_registers(
        &self,
        source: Tcb,
        suspend_source: bool,
        resume_target: bool,
        transfer_frame: bool,
        transfer_integer: bool,
        arch_flags: u8,
    ) -> Result<(), Error> {
        use inv::copy_registers_flags;
        use inv::tcb_copy_registers as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::FLAGS] = copy_registers_flags::pack(suspend_source, resume_target, transfer_frame, transfer_integer, arch_flags);
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_SOURCE] = source.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_Configure` (non-MCS): fault endpoint (a
    /// cptr in the thread's own CSpace, kept as data), CSpace and VSpace
    /// roots with their cap data (0: unchanged), and the IPC buffer (vaddr 0:
    /// none).
    #[allow(clippy::too_many_arguments)]
    pub fn configure(
        &self,
        fault_ep: CPtr,
        cspace_root: CNode,
        cspace_root_data: u64,
        vspace_root: CPtr,
        vspace_root_data: u64,
        buffer: u64,
        buffer_frame: CPtr,
    ) -> Result<(), Error> {
        use inv::tcb_configure as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::FAULT_EP] = fault_ep;
        mr[a::CSPACE_ROOT_DATA] = cspace_root_data;
        mr[a::VSPACE_ROOT_DATA] = vspace_root_data;
        mr[a::BUFFER] = buffer;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_CSPACE_ROOT] = cspace_root.0;
        caps[a::CAP_VSPACE_ROOT] = vspace_root;
        caps[a::CAP_BUFFER_FRAME] = buffer_frame;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetPriority`: `authority`'s MCP bounds it.
    pub fn set_priority(&self, authority: Tcb, priority: u64) -> Result<(), Error> {
        use inv::tcb_set_priority as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::PRIORITY] = priority;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_AUTHORITY] = authority.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetMCPriority`.
    pub fn set_mc_priority(&self, authority: Tcb, mcp: u64) -> Result<(), Error> {
        use inv::tcb_set_mc_priority as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::MCP] = mcp;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_AUTHORITY] = authority.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetSchedParams` (non-MCS).
    pub fn set_sched_params(&self, authority: Tcb, mcp: u64, priority: u64) -> Result<(), Error> {
        use inv::tcb_set_sched_params as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::MCP] = mcp;
        mr[a::PRIORITY] = priority;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_AUTHORITY] = authority.0;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetIPCBuffer` (vaddr 0 removes the buffer).
    pub fn set_ipc_buffer(&self, buffer: u64, buffer_frame: CPtr) -> Result<(), Error> {
        use inv::tcb_set_ipc_buffer as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::BUFFER] = buffer;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_BUFFER_FRAME] = buffer_frame;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetSpace` (non-MCS).
    pub fn set_space(
        &self,
        fault_ep: CPtr,
        cspace_root: CNode,
        cspace_root_data: u64,
        vspace_root: CPtr,
        vspace_root_data: u64,
    ) -> Result<(), Error> {
        use inv::tcb_set_space as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::FAULT_EP] = fault_ep;
        mr[a::CSPACE_ROOT_DATA] = cspace_root_data;
        mr[a::VSPACE_ROOT_DATA] = vspace_root_data;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_CSPACE_ROOT] = cspace_root.0;
        caps[a::CAP_VSPACE_ROOT] = vspace_root;
        invoke(self.0, a::LABEL, &mr, &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_Suspend`.
    pub fn suspend(&self) -> Result<(), Error> {
        invoke(self.0, inv::tcb_suspend::LABEL, &[], &[]).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_Resume`.
    pub fn resume(&self) -> Result<(), Error> {
        invoke(self.0, inv::tcb_resume::LABEL, &[], &[]).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_BindNotification`.
    pub fn bind_notification(&self, notification: CPtr) -> Result<(), Error> {
        use inv::tcb_bind_notification as a;
        let mut caps = [0; a::EXTRA_CAPS];
        caps[a::CAP_NOTIFICATION] = notification;
        invoke(self.0, a::LABEL, &[], &caps).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_UnbindNotification`.
    pub fn unbind_notification(&self) -> Result<(), Error> {
        invoke(self.0, inv::tcb_unbind_notification::LABEL, &[], &[]).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetTLSBase`: the thread's FS base.
    pub fn set_tls_base(&self, tls_base: u64) -> Result<(), Error> {
        use inv::tcb_set_tls_base as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::TLS_BASE] = tls_base;
        invoke(self.0, a::LABEL, &mr, &[]).map(|_| ())
    }

    /// Corresponds to `seL4_TCB_SetFlags`: returns the flags afterwards
    /// (see `sel4_abi::invocation::tcb_flag`).
    pub fn set_flags(&self, clear: u64, set: u64) -> Result<u64, Error> {
        use inv::tcb_set_flags as a;
        let mut mr = [0u64; a::LENGTH];
        mr[a::CLEAR] = clear;
        mr[a::SET] = set;
        invoke(self.0, a::LABEL, &mr, &[]).map(|r| r.mr(a::OUT_FLAGS))
    }
}
