using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace Haniwers.Tests.Architecture
{
    /// <summary>
    /// The folders of Haniwers.Core are layers (docs/architecture.md): each namespace uses only the ones
    /// below it. Read from the compiled assembly (signatures and every method body's IL), so a use
    /// through a full name or a lambda counts as much as one through a using directive.
    /// </summary>
    public class LayerTests
    {
        /// <summary>Lowest first; the same list as docs/architecture.md.</summary>
        internal static readonly string[] Layers =
        {
            "Platform", "Configuration", "Transport", "Protocol", "Simulation", "Output", "Analysis", "Scanning", "DataTaking", "Reports", "Composition",
        };

        private static readonly Assembly Core = typeof(Haniwers.Output.RunJournal).Assembly;

        [Fact]
        public void every_namespace_of_the_core_is_a_named_layer()
        {
            var unnamed = Core.GetTypes().Select(t => Layer(t.Namespace)).Where(l => l is not null && !Layers.Contains(l)).Distinct().ToList();
            Assert.Empty(unnamed);
            Assert.DoesNotContain(Core.GetTypes(), t => t.Namespace is null && !(t.FullName ?? "").StartsWith("<", StringComparison.Ordinal));
        }

        [Fact]
        public void each_layer_uses_only_the_layers_below_it()
        {
            var upward = Uses(Core)
                .Where(u => Array.IndexOf(Layers, u.To) > Array.IndexOf(Layers, u.From))
                .GroupBy(u => (u.From, u.To))
                .Select(g => $"{g.Key.From} uses {g.Key.To}, above it: {string.Join("; ", g.Select(u => u.Where).Distinct().Take(3))}")
                .ToList();
            Assert.True(upward.Count == 0, string.Join(Environment.NewLine, upward));
        }

        [Fact]
        public void no_two_namespaces_use_each_other()
        {
            var edges = Uses(Core).Select(u => (u.From, u.To)).Distinct().ToList();
            var cycles = edges.Where(e => Reaches(edges, e.To, e.From)).Select(e => $"{e.From} -> {e.To}").ToList();
            Assert.True(cycles.Count == 0, "namespace cycle: " + string.Join(", ", cycles));
        }

        [Fact]
        public void the_reader_of_the_assembly_finds_uses_written_every_way()
        {
            // the check is only as good as its reader: uses from this test assembly, known by construction
            var probe = typeof(LayerTests).Assembly.GetTypes().Where(t => t.Namespace == "Haniwers.Tests.Architecture.Probe");
            var found = Uses(probe).Select(u => u.To).Distinct().OrderBy(x => x).ToList();
            Assert.Equal(new[] { "Analysis", "Output", "Protocol", "Scanning", "Transport" }, found);
        }

        private static bool Reaches(List<(string From, string To)> edges, string from, string to)
        {
            var seen = new HashSet<string> { from };
            var queue = new Queue<string>(new[] { from });
            while (queue.Count > 0)
            {
                var at = queue.Dequeue();
                if (at == to) return true;
                foreach (var next in edges.Where(e => e.From == at).Select(e => e.To)) if (seen.Add(next)) queue.Enqueue(next);
            }
            return false;
        }

        /// <summary>"Output" for Haniwers.Output and Haniwers.Output.X; null outside Haniwers.</summary>
        private static string? Layer(string? ns)
        {
            if (ns is null || !ns.StartsWith("Haniwers.", StringComparison.Ordinal)) return null;
            var rest = ns.Substring("Haniwers.".Length);
            return rest.StartsWith("Tests.", StringComparison.Ordinal) ? rest : rest.Split('.')[0];
        }

        internal sealed record Use(string From, string To, string Where);

        internal static IEnumerable<Use> Uses(Assembly assembly) => Uses(assembly.GetTypes());

        internal static IEnumerable<Use> Uses(IEnumerable<Type> types)
        {
            foreach (var type in types)
            {
                if (Layer(type.Namespace) is not string from) continue;
                var uses = new List<(Type Used, string Where)>();
                if (type.BaseType is { } b) uses.Add((b, "base type"));
                uses.AddRange(type.GetInterfaces().Select(i => (i, "interface")));
                const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
                uses.AddRange(type.GetFields(all).Select(f => (f.FieldType, f.Name)));
                uses.AddRange(type.GetProperties(all).Select(p => (p.PropertyType, p.Name)));
                foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
                {
                    if (method is MethodInfo info) uses.Add((info.ReturnType, method.Name));
                    uses.AddRange(method.GetParameters().Select(p => (p.ParameterType, method.Name)));
                    uses.AddRange(BodyUses(method).Select(t => (t, method.Name)));
                }
                foreach (var (used, where) in uses)
                    foreach (var ns in Namespaces(used))
                        if (Layer(ns) is string to && to != from) yield return new Use(from, to, $"{type.FullName}.{where} -> {used.FullName ?? used.Name}");
            }
        }

        private static IEnumerable<string?> Namespaces(Type type)
        {
            if (type.HasElementType && type.GetElementType() is { } element) return Namespaces(element);
            if (type.IsGenericParameter) return Array.Empty<string?>();
            var own = new[] { type.Namespace };
            return type.IsGenericType ? own.Concat(type.GetGenericArguments().SelectMany(Namespaces)) : own;
        }

        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

        /// <summary>The types a method's body names: its locals and every type, method and field token of its IL.</summary>
        private static IEnumerable<Type> BodyUses(MethodBase method)
        {
            var body = method.GetMethodBody();
            if (body is null) yield break;
            foreach (var local in body.LocalVariables) yield return local.LocalType;
            var il = body.GetILAsByteArray() ?? Array.Empty<byte>();
            var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
            var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
            int at = 0;
            while (at < il.Length)
            {
                short value = il[at] == 0xFE ? unchecked((short)(0xFE00 | il[at + 1])) : il[at];
                at += il[at] == 0xFE ? 2 : 1;
                var op = OpCodesByValue[value];
                switch (op.OperandType)
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: at += 1; break;
                    case OperandType.InlineVar: at += 2; break;
                    case OperandType.InlineI8 or OperandType.InlineR: at += 8; break;
                    case OperandType.InlineSwitch: at += 4 + 4 * BitConverter.ToInt32(il, at); break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                        var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArgs, methodArgs);
                        at += 4;
                        if (member is Type t) yield return t;
                        else if (member?.DeclaringType is { } declaring)
                        {
                            yield return declaring;
                            if (member is MethodInfo m)
                            {
                                yield return m.ReturnType;
                                if (m.IsGenericMethod) foreach (var arg in m.GetGenericArguments()) yield return arg;
                            }
                            if (member is FieldInfo f) yield return f.FieldType;
                        }
                        break;
                    default: at += 4; break;
                }
            }
        }
    }
}

namespace Haniwers.Tests.Architecture.Probe
{
    /// <summary>Uses of other layers written every way the reader must see (<see cref="LayerTests"/>).</summary>
    internal static class UsesEveryWay
    {
        // a field's type
        private static Haniwers.Transport.IClock? _clock = null;

        // a full name in a body, a lambda, a generic argument, a static call
        public static object Body()
        {
            Func<object> make = () => new List<Haniwers.Analysis.ScanPoint>();
            _ = Haniwers.Output.ScanFiles.ResultFileName(1);
            return make() ?? _clock!;
        }

        // a type token (typeof)
        public static string Token() => typeof(Haniwers.Protocol.BootText).Name;

        // a parameter's type
        public static int Parameter(Haniwers.Scanning.ScanLimits limits) => limits.GetHashCode();
    }
}
