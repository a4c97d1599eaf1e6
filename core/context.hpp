// thespis::context: what a plain-object actor's constructor may ask for to send and create.
// Defined next to the actor it forwards to (core/detail/context_definition.hpp).
#pragma once

#include "core/actor.hpp"
