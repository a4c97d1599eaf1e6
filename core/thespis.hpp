// The one header users include.
#pragma once

#include "core/actor.hpp"
#include "core/actor_ref.hpp"
#include "core/actor_system.hpp"
#include "core/actor_type_registry.hpp"
#include "core/address.hpp"
#include "core/ask_result.hpp"
#include "core/context.hpp"
#include "core/errors.hpp"
#include "core/logging.hpp"
#include "core/message.hpp"
#include "core/message_meta.hpp"
#include "core/shutdown_report.hpp"
#include "core/supervision.hpp"
#include "core/system_config.hpp"
#include "core/system_messages.hpp"
#include "core/troupe.hpp"
