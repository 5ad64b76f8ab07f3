//! Typed views of a decoded call, generated from the service table: one
//! struct per service in [`args`] (fields named and typed as the table
//! declares them) and the [`Call`] enum the Executive's dispatcher matches
//! on:
//!
//! ```ignore
//! match decoded.typed()? {
//!     Call::NtClose(a) => ob::close(a.handle),
//!     Call::NtCreateEvent(a) => ex::create_event(a.event_handle, a.object_attributes, a.event_type, a.initial_state),
//!     ...
//! }
//! ```

use core::marker::PhantomData;

use super::unmarshal::{DecodedArgs, FromArg};
use crate::services::ServiceId;
use crate::status::NtStatus;

macro_rules! generate_typed {
    ($(
        $(#[$meta:meta])*
        $name:ident = $number:literal {
            $( $arg:ident : $kind:ident $(<$ty:ident>)? $({ $($key:ident : $value:ident),* })? ),* $(,)?
        }
    ),* $(,)?) => {
        /// The arguments of each service, validated and typed.
        pub mod args {
            #[allow(unused_imports)]
            use core::marker::PhantomData;

            $(
                #[doc = concat!("The arguments of `", stringify!($name), "`.")]
                $(#[$meta])*
                #[derive(Clone, Copy, Debug)]
                pub struct $name<'a> {
                    $( pub $arg: $crate::__nt_view_type!('a; $kind $(<$ty>)? $({ $($key : $value),* })?), )*
                    /// Ties views of the snapshot to its lifetime.
                    pub _snapshot: PhantomData<&'a [u8]>,
                }
            )*
        }

        /// A decoded call, by service.
        #[derive(Clone, Copy, Debug)]
        pub enum Call<'a> {
            $( $name(args::$name<'a>), )*
        }

        impl<'a> Call<'a> {
            /// The service called.
            pub fn service(&self) -> ServiceId {
                match self {
                    $( Call::$name(_) => ServiceId::$name, )*
                }
            }
        }

        impl<'a> DecodedArgs<'a> {
            /// The typed form of this call.
            pub fn typed(&self) -> Result<Call<'a>, NtStatus> {
                match self.service {
                    $(
                        ServiceId::$name => {
                            #[allow(unused_mut, unused_variables)]
                            let mut values = self.values().iter();
                            Ok(Call::$name(args::$name {
                                $( $arg: FromArg::from_arg(values.next())?, )*
                                _snapshot: PhantomData,
                            }))
                        }
                    )*
                }
            }
        }
    };
}

crate::nt_services!(generate_typed);
